// Part of `npm run build`, last: dist/cli.js (what `npx jobfake` runs) as one file, with hono and
// @hono/node-server inside. Loading tsc's hundred-odd modules one by one took about a fifth of the
// time from spawn to the first answer; the library (dist/index.js) stays as tsc wrote it.
// Every other dependency stays a package import: each is loaded on first use, not at start.
import { renameSync } from 'node:fs';
import { rolldown } from 'rolldown';

const inlined = /^(hono|@hono\/node-server)(\/|$)/;
const bundle = await rolldown({
  input: 'dist/cli.js',
  platform: 'node',
  external: (id) => !id.startsWith('.') && !id.startsWith('/') && !inlined.test(id),
  logLevel: 'warn',
});
// The inspector's lazy imports go in too: a second file would sit beside tsc's modules.
await bundle.write({ file: 'dist/cli.bundle.js', format: 'esm', codeSplitting: false });
await bundle.close();
renameSync('dist/cli.bundle.js', 'dist/cli.js');
