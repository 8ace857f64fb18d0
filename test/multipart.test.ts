import { describe, expect, it } from 'vitest';
import { MultipartError, multipartBoundary, parseMultipart } from '../src/scalingo/multipart.js';

/**
 * jobfake's multipart parser (attach uploads) against the platform's own Response.formData(),
 * whose rules it follows: those of undici 7 (Node 24). Node 20 and 22 bundle undici 6, whose
 * parser is stricter on a few malformed bodies, so the comparison runs where the rules match.
 */
const undiciMajor = Number(process.versions['undici']?.split('.')[0] ?? 0);

type Outcome = 'error' | { name: string; filename: string | null; type: string; body?: string }[];

async function platform(body: Buffer, contentType: string): Promise<Outcome> {
  let form: FormData;
  try {
    form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
  } catch {
    return 'error';
  }
  const out: Exclude<Outcome, 'error'> = [];
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string') out.push({ name, filename: null, type: '' });
    else out.push({ name, filename: value.name, type: value.type, body: Buffer.from(await value.arrayBuffer()).toString('hex') });
  }
  return out;
}

function ours(body: Buffer, contentType: string): Outcome {
  try {
    const boundary = multipartBoundary(contentType);
    if (boundary === undefined) throw new MultipartError('no boundary');
    return parseMultipart(body, boundary).map((p) =>
      p.filename === null ? { name: p.name, filename: null, type: '' } : { name: p.name, filename: p.filename, type: p.type, body: p.body.toString('hex') },
    );
  } catch {
    return 'error';
  }
}

const B = 'XyZboundary0123456789abcdefgh';
const CT = `multipart/form-data; boundary=${B}`;
const part = (disposition: string, content: string, headers = '') => `--${B}\r\nContent-Disposition: ${disposition}\r\n${headers}\r\n${content}\r\n`;
const file = (content = 'hello\n', headers = 'Content-Type: application/octet-stream\r\n') => part('form-data; name="file"; filename="dump.sql"', content, headers);
const end = `--${B}--\r\n`;

const cases: [string, string, string][] = [
  ['a file as curl sends it', file() + end, CT],
  ['a field and a file', part('form-data; name="note"', 'hi') + file() + end, CT],
  ['two file parts: both kept, in order', file('one') + file('two') + end, CT],
  ['a part without a content type', file('x', '') + end, CT],
  ['a content type in capitals and a tab', file('x', 'Content-Type: Text/Plain\r\n') + file('y', 'Content-Type: a/b\tc\r\n') + end, CT],
  ['a non-ASCII content type', file('x', 'Content-Type: text/pl\u00e9in\r\n') + end, CT],
  ['base64', file('aGVsbG8=', 'Content-Transfer-Encoding: base64\r\n') + end, CT],
  ['filename*', part(`form-data; name="file"; filename="a.txt"; filename*=utf-8''%C3%A9t%C3%A9.txt`, 'x') + end, CT],
  ['a bad filename* encoding', part(`form-data; name="file"; filename*=latin1''x`, 'x') + end, CT],
  ['a bad percent escape in filename*', part(`form-data; name="file"; filename*=utf-8''%E9`, 'x') + end, CT],
  ['unquoted attributes', part('form-data; name=file; filename=plain.txt', 'x') + end, CT],
  ['escaped quotes and newlines in a name', part('form-data; name="file"; filename="a%22b%0Ac"', 'x') + end, CT],
  ['a preamble', `preamble\r\n${file()}${end}`, CT],
  ['no closing delimiter', file(), CT],
  ['a closing delimiter without CRLF', `${file()}--${B}--`, CT],
  ['no part at all', end, CT],
  ['an empty body', '', CT],
  ['no name', part('form-data; filename="x"', 'x') + end, CT],
  ['not form-data', part('attachment; name="file"; filename="x"', 'x') + end, CT],
  ['no content-disposition', `--${B}\r\nContent-Type: text/plain\r\n\r\nx\r\n${end}`, CT],
  ['a header without a colon', `--${B}\r\nContent-Disposition form-data\r\n\r\nx\r\n${end}`, CT],
  ['a bad header name', `--${B}\r\nBad Name: x\r\nContent-Disposition: form-data; name="file"; filename="x"\r\n\r\nx\r\n${end}`, CT],
  ['spaces around a header name', `--${B}\r\n Content-Disposition : form-data; name="file"; filename="x"\r\n\r\nx\r\n${end}`, CT],
  ['an unclosed quote', part('form-data; name="file; filename="x', 'x') + end, CT],
  ['LF only', (file() + end).replace(/\r\n/g, '\n'), CT],
  ['the boundary inside the content', file(`a--${B}b`) + end, CT],
  ['a quoted boundary', file() + end, `multipart/form-data; boundary="${B}"`],
  ['boundary in capitals, extra parameters', file() + end, `Multipart/Form-Data; charset=utf-8; BOUNDARY=${B}; boundary=other`],
  ['no boundary parameter', file() + end, 'multipart/form-data'],
  ['an empty boundary', file() + end, 'multipart/form-data; boundary='],
  ['a wrong boundary', file() + end, 'multipart/form-data; boundary=nope'],
  ['two content types, the last one wins', file() + end, `text/plain, ${CT}`],
  ['two content types, the last one is not multipart', file() + end, `${CT}, text/plain`],
  ['a comma inside a quoted boundary', file().replaceAll(B, 'a,b') + end.replace(B, 'a,b'), 'multipart/form-data; boundary="a,b"'],
];

describe('multipart/form-data parsing', () => {
  it.runIf(undiciMajor >= 7).each(cases)('%s: as Response.formData()', async (_label, body, contentType) => {
    const bytes = Buffer.from(body, 'latin1');
    expect(ours(bytes, contentType)).toEqual(await platform(bytes, contentType));
  });

  it.runIf(undiciMajor >= 7)('as Response.formData() on 3,000 mutated bodies', async () => {
    // A fixed seed: the same bodies on every run.
    let seed = 42;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const alphabet = Buffer.from(`\r\n-;="*:% \tabcXYZ${B.slice(0, 3)}`, 'latin1');
    const bases = cases.slice(0, 12).map(([, body]) => Buffer.from(body, 'latin1'));
    for (let i = 0; i < 3000; i++) {
      const base = bases[random(bases.length)]!;
      const bytes = Buffer.from(base);
      const edits = 1 + random(3);
      let mutated: Buffer = bytes;
      for (let e = 0; e < edits; e++) {
        const at = random(mutated.length + 1);
        const byte = alphabet[random(alphabet.length)]!;
        const kind = random(3);
        if (kind === 0) mutated = Buffer.concat([mutated.subarray(0, at), Buffer.from([byte]), mutated.subarray(at)]);
        else if (kind === 1) mutated = Buffer.concat([mutated.subarray(0, at), mutated.subarray(at + 1)]);
        else if (at < mutated.length) mutated[at] = byte;
      }
      const expected = await platform(mutated, CT);
      expect(ours(mutated, CT), JSON.stringify(mutated.toString('latin1'))).toEqual(expected);
    }
  });

  it('gives the file part as a view into the body, not a copy', () => {
    const body = Buffer.from(file('x'.repeat(1000)) + end, 'latin1');
    const [parsed] = parseMultipart(body, B);
    expect(parsed!.body.buffer).toBe(body.buffer);
    expect(parsed).toMatchObject({ name: 'file', filename: 'dump.sql', type: 'application/octet-stream' });
  });
});
