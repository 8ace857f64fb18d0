import type { Context } from 'hono';

/** Reads a JSON object body; an empty body is {}. Returns an error message instead of throwing. */
export async function readJsonObject(c: Context): Promise<{ value: Record<string, unknown> } | { error: string }> {
  const text = await c.req.text();
  if (text.trim() === '') return { value: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { error: `invalid JSON body: ${(err as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'invalid JSON body: expected an object' };
  return { value: value as Record<string, unknown> };
}
