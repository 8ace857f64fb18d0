/** The baseline for attach echo: a raw net server that writes back every byte it reads. */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

const server = createServer((socket) => {
  socket.on('error', () => socket.destroy());
  socket.pipe(socket);
});
server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
process.on('disconnect', () => process.exit(0));
