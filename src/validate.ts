import type { Context } from 'hono';
import type { Spec } from './spec.js';
import { readText } from './request-body.js';

export type BodyCheck = { value: any } | { problems: { field: string; message: string }[] } | { notJson: string };

/**
 * Parses a JSON request body and validates it against the request schema of the operation it
 * reaches in openapi.yaml, so the spec and the server cannot drift on what they accept.
 */
export async function checkJsonBody(c: Context, spec: Spec, localPath: string, onDeprecated?: (field: string) => void): Promise<BodyCheck> {
  const text = await readText(c);
  let value: unknown = {};
  if (text.trim() !== '') {
    try {
      value = JSON.parse(text);
    } catch (err) {
      return { notJson: `invalid JSON body: ${(err as Error).message}` };
    }
  }
  const op = spec.findOperation(c.req.method, localPath);
  const schemaPointer = op && spec.requestSchemaPointer(op);
  if (!schemaPointer) return { value };
  if (onDeprecated && value && typeof value === 'object') {
    const properties: Record<string, { deprecated?: boolean }> = spec.resolve(schemaPointer).properties ?? {};
    for (const field of Object.keys(value)) if (properties[field]?.deprecated) onDeprecated(field);
  }
  const validate = spec.validator(schemaPointer);
  if (validate(value)) return { value };
  // A oneOf that fails lists every alternative's complaint: say once that no form fits instead.
  const all = validate.errors ?? [];
  const oneOfAt = all.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath);
  const kept = all.filter((e) => e.keyword === 'oneOf' || !oneOfAt.some((path) => e.instancePath.startsWith(path)));
  const problems = kept.map((e) => {
    const missing = e.keyword === 'required' ? String(e.params['missingProperty']) : undefined;
    const extra = e.keyword === 'additionalProperties' ? String(e.params['additionalProperty']) : undefined;
    const field = [e.instancePath.replace(/^\//, '').replace(/\//g, '.'), missing ?? extra].filter(Boolean).join('.') || 'body';
    const allowed = e.keyword === 'enum' ? (e.params['allowedValues'] as unknown[]) : undefined;
    const message = extra ? 'is not a known field' : missing ? 'is required' : allowed ? `must be one of ${allowed.join(', ')}` : e.keyword === 'oneOf' ? 'does not match any of the allowed forms (see openapi.yaml)' : (e.message ?? 'is invalid');
    return { field, message };
  });
  return { problems };
}
