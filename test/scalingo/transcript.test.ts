// An attach session's transcript: what went each way, in order, as text where it is text.
import { describe, expect, it } from 'vitest';
import { call, freshNamespace, useFake } from '../helpers/fake.js';
import { openTunnel, runToDone } from '../helpers/scalingo.js';

describe("an attach session's transcript", () => {
  const ctx = useFake({ limits: { attachCloseGraceMs: 0 } });

  it('keeps the bytes both ways in order: text as text, other bytes as base64', async () => {
    const name = freshNamespace();
    const ns = ctx.fake.namespace(name);
    const { attachUrl } = await runToDone(ctx.fake, ns.url, name);
    const tunnel = await openTunnel(attachUrl);
    const echoed = (text: string) =>
      new Promise<void>((resolve) => {
        let seen = '';
        const onData = (chunk: Buffer) => {
          seen += chunk.toString('latin1');
          if (seen.includes(text)) {
            tunnel.socket.off('data', onData);
            resolve();
          }
        };
        tunnel.socket.on('data', onData);
      });
    let back = echoed('ls -la\n');
    tunnel.socket.write('ls -la\n');
    await back;
    back = echoed('\xff\xfe');
    tunnel.socket.write(Buffer.from([0xff, 0xfe]));
    await back;
    tunnel.socket.write('\x04');
    await tunnel.rest;

    const { attach } = ns.scalingo.container('one-off-1');
    expect(attach!.transcript.map(({ direction, size, text, base64 }) => ({ direction, size, text, base64 }))).toEqual([
      { direction: 'in', size: 7, text: 'ls -la\n', base64: undefined },
      { direction: 'out', size: 7, text: 'ls -la\n', base64: undefined },
      { direction: 'in', size: 2, text: undefined, base64: Buffer.from([0xff, 0xfe]).toString('base64') },
      { direction: 'out', size: 2, text: undefined, base64: Buffer.from([0xff, 0xfe]).toString('base64') },
      { direction: 'in', size: 1, text: '\x04', base64: undefined },
    ]);
    for (const run of attach!.transcript) expect(Date.parse(run.at)).not.toBeNaN();
    // Alone over HTTP (the inspector reads it so), by label or id; 404 for no such container.
    const alone = await call(`${ns.url}/__jobfake/scalingo/containers/one-off-1/transcript`);
    expect(alone).toMatchObject({ status: 200, body: { transcript: attach!.transcript } });
    expect((await call(`${ns.url}/__jobfake/scalingo/containers/${ns.scalingo.container('one-off-1').id}/transcript`)).body).toEqual(alone.body);
    expect(await call(`${ns.url}/__jobfake/scalingo/containers/one-off-9/transcript`)).toMatchObject({ status: 404, body: { error: 'no container one-off-9' } });
    expect(attach!.bytes_in).toBe(10);
    expect(attach!.bytes_out).toBe(9);
  });

  it('keeps only the first MiB of a long session, and still counts every byte', async () => {
    const name = freshNamespace();
    const ns = ctx.fake.namespace(name);
    const { attachUrl } = await runToDone(ctx.fake, ns.url, name);
    const tunnel = await openTunnel(attachUrl);
    const line = `${'x'.repeat(1023)}\n`;
    for (let i = 0; i < 1024; i++) tunnel.socket.write(line);
    tunnel.socket.end();
    await tunnel.rest;
    const { attach } = ns.scalingo.container('one-off-1');
    const kept = attach!.transcript.reduce((sum, run) => sum + run.size, 0);
    expect(kept).toBe(1024 * 1024);
    expect(attach!.bytes_in).toBe(1024 * 1024);
    expect(attach!.bytes_out).toBe(1024 * 1024);
    expect(attach!.transcript.every((run) => run.text !== undefined && /^[x\n]+$/.test(run.text))).toBe(true);
  });
});
