import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ServerContext } from '../app.js';

/** CONNECT on an attach URL: the raw two-way stream of a one-off container. */
export function handleConnect(_server: ServerContext, _req: IncomingMessage, socket: Duplex, _head: Buffer): void {
  socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{"resource":"attach","error":"not found"}');
}
