import { bearer, exchangeToken } from '../../scripts/scalingo-client.js';
import { call } from './fake.js';

export { freshNamespace } from './fake.js';
export { basic, openTunnel, type Tunnel } from '../../scripts/scalingo-client.js';

/** POST /v1/tokens/exchange the way the CLI does it; returns the JWT. */
export const login = (base: string, apiToken = 'tk-us-test'): Promise<string> => exchangeToken(base, apiToken);

export function api(base: string, token: string) {
  const headers = bearer(token);
  return {
    get: (path: string) => call(`${base}${path}`, { headers }),
    post: (path: string, body?: unknown) => call(`${base}${path}`, { method: 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) }),
  };
}

/** Runs a one-off and moves its operation to done; returns the run answer and the attach URL. */
export async function runToDone(fake: { namespace(ns: string): { clock: { advance(ms: number): void; pause(): void } } }, base: string, ns: string, body: object = { command: 'bash' }) {
  const token = await login(base);
  const scalingo = api(base, token);
  const run = await scalingo.post('/v1/apps/my-app/run', body);
  if (run.status !== 200) throw new Error(`run failed: ${run.status} ${run.text}`);
  fake.namespace(ns).clock.advance(10_000);
  const op = await scalingo.get(new URL(run.headers.get('location')!).pathname.replace(`/ns/${ns}`, ''));
  return { token, scalingo, run, operation: op.body.operation, attachUrl: op.body.operation.start_one_off_data?.attach_url as string };
}
