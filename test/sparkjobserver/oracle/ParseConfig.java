import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The differential oracle for jobfake's HOCON parser (test/sparkjobserver/hocon-oracle.test.ts).
 * Reads one base64 body a line on stdin; for each writes one line, every field base64:
 *   OK <resolved config, concise JSON> <what GET /jobs/{id}/config answers>
 *      (a rendering that fails is "!" and its exception)
 *   ERR <the ConfigException's message>       (the server answers "Cannot parse config: " + it)
 *   CRASH <throwable class and message>       (anything else, e.g. StackOverflowError)
 * It does what Spark Jobserver's WebApi does (0.9 to 0.11): ConfigFactory.parseString(body) then
 * resolve(); the stored config is the posted one rendered concise (SqlCommon.saveJobConfig), read
 * back with parseString, and GET renders its root with comments and origin comments off.
 * Run it with an empty environment: resolve() falls back to environment variables.
 */
public final class ParseConfig {
    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** A rendering, or "!" and why it failed (the library's sort fails on some all-digit keys). */
    private static String rendering(java.util.function.Supplier<String> render) {
        try {
            return render.get();
        } catch (ConfigException e) {
            return "!" + e.getMessage();
        } catch (RuntimeException e) {
            return "!" + e.getClass().getName() + ": " + e.getMessage();
        }
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(System.out, false, "UTF-8");
        ConfigRenderOptions stored = ConfigRenderOptions.concise();
        ConfigRenderOptions shown = ConfigRenderOptions.defaults().setComments(false).setOriginComments(false);
        String line;
        while ((line = in.readLine()) != null) {
            String body = new String(Base64.getDecoder().decode(line), StandardCharsets.UTF_8);
            String answer;
            try {
                Config posted = ConfigFactory.parseString(body);
                final Config resolved = posted.resolve();
                String shownText = rendering(() -> ConfigFactory.parseString(posted.root().render(stored)).root().render(shown));
                answer = "OK " + b64(rendering(() -> resolved.root().render(stored))) + " " + b64(shownText);
            } catch (ConfigException e) {
                answer = "ERR " + b64(String.valueOf(e.getMessage()));
            } catch (Throwable e) {
                answer = "CRASH " + b64(e.getClass().getName() + ": " + e.getMessage());
            }
            out.println(answer);
        }
        out.flush();
    }
}
