import type { Context } from 'hono';
import type { AppEnv, ServerContext } from '../context.js';
import { checkJsonBody } from '../validate.js';
import { scalingoError, scalingoInvalid } from './errors.js';
import { readText } from '../request-body.js';

/**
 * Reads a JSON body and validates it against the operation's request schema in openapi.yaml.
 * Not JSON → 400 {"error"}; breaking the schema → 422 {"errors": {field: [...]}}, as Scalingo does.
 */
export async function readScalingoBody(c: Context<AppEnv>, server: ServerContext): Promise<{ value: Record<string, unknown> } | { response: Response }> {
  const path = c.get('localPath');
  const checked = await checkJsonBody(c, server.spec, path, server.warn && ((field) => server.warn!(`${c.req.method} ${path}: the client sent "${field}", which openapi.yaml marks deprecated`)));
  if ('notJson' in checked) return { response: scalingoError(c, 400, checked.notJson) };
  if ('problems' in checked) {
    const errors: Record<string, string[]> = {};
    // Scalingo names top-level fields: env.TERM's problem is env's.
    for (const { field, message } of checked.problems) (errors[field.split('.')[0]!] ??= []).push(message);
    return { response: scalingoInvalid(c, errors) };
  }
  return { value: checked.value };
}

/** Reads a JSON object body; an empty body is {}. Returns an error message instead of throwing. */
export async function readJsonObject(c: Context): Promise<{ value: Record<string, unknown> } | { error: string }> {
  const text = await readText(c);
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
