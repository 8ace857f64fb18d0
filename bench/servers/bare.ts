/**
 * The baseline: a bare node:http server that answers every GET with the same JSON body that
 * jobfake answers on the polled route, and drains any request body (uploads) before a 200; on
 * /keep it keeps the body instead, in one buffer of its Content-Length (dropped after the answer),
 * as jobfake keeps an upload: the floor of storing a file at all. Its port goes to the parent over IPC.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const body = Buffer.from(process.argv[2] ?? '{}');
const server = createServer((req, res) => {
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
    return;
  }
  const kept = req.url === '/keep' ? Buffer.allocUnsafe(Number(req.headers['content-length'])) : undefined;
  let at = 0;
  req.on('data', (chunk: Buffer) => {
    if (kept) at += chunk.copy(kept, at);
  });
  req.on('end', () => {
    res.writeHead(200, { 'content-length': 0 });
    res.end();
  });
});
server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
process.on('disconnect', () => process.exit(0));
