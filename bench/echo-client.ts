/**
 * The attach echo's client, in its own process as autocannon is for polling: this process's own
 * heap (grown by the rounds before) must not set the pace. Started with glibc's trim threshold
 * raised (see run.ts), so that its reads never wait on page faults either.
 * Message in: `{ attachUrl | port, bytes }`; out: `{ mbps }` once every byte came back.
 */
import { echoThroughput, endTunnel, openSocket, openTunnel } from './lib.js';

process.on('message', async (message: { attachUrl?: string; port?: number; bytes: number }) => {
  const socket = message.attachUrl ? await openTunnel(message.attachUrl) : await openSocket(message.port!);
  const mbps = await echoThroughput(socket, message.bytes);
  if (message.attachUrl) await endTunnel(socket);
  else socket.destroy();
  process.send!({ mbps });
});
process.on('disconnect', () => process.exit(0));
