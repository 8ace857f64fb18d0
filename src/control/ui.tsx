/** @jsxImportSource hono/jsx */
import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import type { AppEnv } from '../context.js';
import { inspectorScript } from './ui-script.js';

const style = `
:root { color-scheme: light dark; --fg: #1d1f23; --muted: #5b6170; --line: #d5d8de; --bg: #fff; --head: #f3f4f6;
  --ok: #0a6b35; --run: #0b57b0; --bad: #b3261e; --wait: #6b5900; font: 14px/1.4 system-ui, sans-serif; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e7ea; --muted: #a5abb8; --line: #3a3e47; --bg: #16181c; --head: #20232a;
  --ok: #5fd08b; --run: #7fb2ff; --bad: #ff8a80; --wait: #e6c75a; } }
body { margin: 0; color: var(--fg); background: var(--bg); }
header { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.25rem; padding: .6rem 1rem;
  border-bottom: 1px solid var(--line); background: var(--head); position: sticky; top: 0; z-index: 1; }
h1 { font-size: 1.15rem; margin: 0; }
h2 { font-size: 1.05rem; margin: .8rem 0 .4rem; }
main { padding: 0 1rem 2rem; }
form.ns, .tools { display: flex; align-items: center; gap: .4rem; flex-wrap: wrap; }
.meta { margin: 0; color: var(--muted); }
#reset { margin-left: auto; }
button, select, input { font: inherit; color: inherit; }
button { padding: .15rem .6rem; border: 1px solid var(--muted); border-radius: 4px; background: var(--bg); cursor: pointer; }
button:disabled { opacity: .45; cursor: default; }
input, select { padding: .15rem .35rem; border: 1px solid var(--muted); border-radius: 4px; background: var(--bg); }
:focus-visible { outline: 3px solid var(--run); outline-offset: 1px; }
table { border-collapse: collapse; width: 100%; margin-bottom: .5rem; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem; border-bottom: 1px solid var(--line); }
thead th { background: var(--head); font-weight: 600; white-space: nowrap; }
tbody th { font-weight: normal; }
.num { text-align: right; white-space: nowrap; }
.actions { white-space: nowrap; }
.label { font-weight: 600; }
.sub { display: block; color: var(--muted); font-size: .85em; }
.logs { max-height: 16em; overflow: auto; padding: .5em; background: var(--code-bg, rgba(127,127,127,.08)); font-size: .85em; white-space: pre-wrap; }
code { font: .85em ui-monospace, monospace; overflow-wrap: anywhere; }
.hash { display: block; color: var(--muted); word-break: break-all; }
.id { display: block; }
p { margin: 0; }
.steps { list-style: none; display: flex; flex-wrap: wrap; gap: 0 .3rem; margin: .2rem 0 0; padding: 0; color: var(--muted); font-size: .85em; }
.steps li + li::before { content: "→ "; }
.uploads { margin: .2rem 0 0; padding-left: 1rem; }
.st { display: inline-block; padding: 0 .4rem; border-radius: 3px; font-size: .85em; font-weight: 600; border: 1px solid currentColor; }
.st-done, .st-finished, .st-attached, .ok { color: var(--ok); }
.st-running, .st-started { color: var(--run); }
.st-error, .st-killed, .err, .error { color: var(--bad); }
.st-pending, .st-waiting, .st-ended { color: var(--wait); }
.empty { color: var(--muted); font-style: italic; margin-bottom: .5rem; }
.notice { min-height: 1.4em; padding: .2rem 1rem 0; }
.cols { display: grid; grid-template-columns: repeat(auto-fit, minmax(22rem, 1fr)); gap: 0 1.5rem; }
dialog { border: 1px solid var(--line); border-radius: 6px; color: var(--fg); background: var(--bg); min-width: 22rem; }
dialog h2 { margin-top: 0; }
dialog input { width: 100%; box-sizing: border-box; margin: .3rem 0 .8rem; }
dialog.entry { width: min(60rem, 92vw); }
dialog.entry h3 { font-size: .95rem; margin: .8rem 0 .3rem; }
dialog.entry pre { margin: 0; padding: .4rem; max-height: 16rem; overflow: auto; background: var(--head); white-space: pre-wrap; overflow-wrap: anywhere; font: .85em ui-monospace, monospace; }
dialog.entry dl { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .8rem; margin: 0; font-size: .9em; }
dialog.entry dt { color: var(--muted); }
dialog.entry dd { margin: 0; overflow-wrap: anywhere; }
button.open { padding: 0; border: 0; background: none; text-align: left; color: inherit; text-decoration: underline dotted; }
`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
/** Nothing from outside: the inline script and style by hash, requests to this origin only. */
const contentSecurityPolicy = [
  "default-src 'none'",
  `script-src ${sha256(inspectorScript)}`,
  `style-src ${sha256(style)}`,
  "connect-src 'self'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** A table whose rows the script fills; the caption names it for screen readers. */
function Table(props: { id: string; caption: string; columns: string[]; empty: string; numeric?: number[] }) {
  return (
    <>
      <table id={props.id}>
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            {props.columns.map((name, i) => (
              <th scope="col" class={props.numeric?.includes(i) ? 'num' : undefined}>
                {name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody></tbody>
      </table>
      <p class="empty" data-for={props.id}>
        {props.empty}
      </p>
    </>
  );
}

function Page(props: { namespace: string; root: string }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>jobfake inspector · {props.namespace}</title>
        <link rel="icon" href="data:," />
        <style dangerouslySetInnerHTML={{ __html: style }} />
      </head>
      <body data-namespace={props.namespace} data-root={props.root}>
        <header>
          <h1>jobfake inspector</h1>
          <form class="ns" id="ns-form">
            <label for="ns-select">Namespace</label>
            <select id="ns-select">
              <option value={props.namespace} selected>
                {props.namespace}
              </option>
            </select>
            <button type="submit">Open</button>
          </form>
          <p class="meta">
            <span id="live" role="status">
              connecting…
            </span>{' '}
            · clock <span id="clock">–</span>
          </p>
          <button type="button" id="reset">
            Reset namespace
          </button>
        </header>
        <p id="notice" class="notice" role="status" aria-live="polite"></p>
        <noscript>
          <p class="notice">The inspector needs JavaScript; the same state is in the JSON routes under /__jobfake.</p>
        </noscript>
        <main>
          <section aria-labelledby="scalingo-title">
            <h2 id="scalingo-title">Scalingo</h2>
            <p>
              Apps: <span id="apps">–</span>
            </p>
            <Table
              id="containers"
              caption="One-off containers and detached jobs, newest first"
              columns={['Container', 'Command', 'Operation (UTC)', 'Attach', 'Exit code', 'Actions']}
              numeric={[4]}
              empty="No one-off or detached job yet."
            />
            <h3 id="logs-title">Logs (what <code>scalingo logs</code> reads), latest last</h3>
            <pre id="logs" class="logs" aria-labelledby="logs-title" tabindex={0}>
              No log line yet.
            </pre>
          </section>
          <section aria-labelledby="spark-title">
            <h2 id="spark-title">Spark Jobserver</h2>
            <Table
              id="jobs"
              caption="Jobs, newest first"
              columns={['Job', 'Context', 'State (UTC)', 'Duration', 'Result or error', 'Actions']}
              numeric={[3]}
              empty="No job yet."
            />
            <div class="cols">
              <div>
                <Table id="binaries" caption="Binaries" columns={['Name', 'Type', 'Size', 'Uploaded (UTC)']} numeric={[2]} empty="No binary." />
              </div>
              <div>
                <Table id="contexts" caption="Contexts" columns={['Name', 'Kind', 'Max jobs', 'Started (UTC)']} numeric={[2]} empty="No context." />
              </div>
            </div>
          </section>
          <section aria-labelledby="journal-title">
            <h2 id="journal-title">Journal</h2>
            <div class="tools">
              <label for="filter">Filter requests</label>
              <input id="filter" type="search" placeholder="method, path or status" autocomplete="off" />
              <span id="journal-count" class="meta"></span>
              <button type="button" id="clear-journal">
                Clear journal
              </button>
            </div>
            <Table
              id="requests"
              caption="Latest requests, newest first"
              columns={['Time (UTC)', 'Method', 'Path', 'Status', 'Duration']}
              numeric={[3, 4]}
              empty="No request yet."
            />
          </section>
        </main>
        <dialog id="fail-dialog" aria-labelledby="fail-title">
          <form id="fail-form" method="dialog">
            <h2 id="fail-title">Fail</h2>
            <label for="fail-message">Message</label>
            <input id="fail-message" required value="failed from the jobfake inspector" autocomplete="off" />
            <button type="submit">Fail</button>{' '}
            <button type="button" id="fail-cancel">
              Cancel
            </button>
          </form>
        </dialog>
        <dialog id="entry-dialog" aria-labelledby="entry-title" class="entry">
          <h2 id="entry-title">Request</h2>
          <div id="entry-body"></div>
          <form method="dialog">
            <button type="submit">Close</button>
          </form>
        </dialog>
        <script dangerouslySetInnerHTML={{ __html: inspectorScript }} />
      </body>
    </html>
  );
}

/** GET /__jobfake/ui: the inspector page, one self-contained HTML document. */
export function inspectorPage(c: Context<AppEnv>) {
  const namespace = c.req.param('ns' as never) as string | undefined;
  c.header('Content-Security-Policy', contentSecurityPolicy);
  c.header('Cache-Control', 'no-store');
  // Relative links keep working behind a proxy that adds a path prefix.
  return c.html(`<!doctype html>${<Page namespace={namespace ?? c.get('world').name} root={namespace ? '../../../' : '../'} />}`);
}
