import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Ajv, ValidateFunction } from 'ajv';
import { stripNamespace } from './namespace.js';
import { packageFile } from './paths.js';

export const specPath = packageFile('openapi.yaml');
// Ajv and the YAML parser are loaded with the first Spec, not with this module: start-up needs neither.
const require = createRequire(import.meta.url);

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

type OpenApiDoc = {
  paths: Record<string, Record<string, any>>;
  [key: string]: unknown;
};

export interface SpecOperation {
  operationId: string;
  method: string;
  pathTemplate: string;
  /** JSON pointer of the operation in the spec, for building schema refs. */
  pointer: string;
  operation: any;
}

export interface ResponseToCheck {
  method: string;
  /** The request path (with or without a /ns/<name> prefix, with or without a query). */
  path: string;
  status: number;
  contentType: string | null;
  body: string;
}

export interface ResponseCheck {
  operationId?: string;
  violations: string[];
}

const escapePointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** The spec loaded once, with compiled matchers and validators. */
export class Spec {
  readonly doc: OpenApiDoc;
  readonly operations: SpecOperation[] = [];
  private readonly matchers: { regex: RegExp; template: string }[] = [];
  private readonly ajv: Ajv;
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(text = readFileSync(specPath, 'utf8')) {
    const { parse } = require('yaml') as typeof import('yaml');
    this.doc = parse(text) as OpenApiDoc;
    const { Ajv } = require('ajv') as typeof import('ajv');
    const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;
    this.ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addSchema(this.doc as object, 'openapi');
    for (const [template, item] of Object.entries(this.doc.paths)) {
      const regex = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
      this.matchers.push({ regex, template });
      const base = `#/paths/${escapePointer(template)}`;
      for (const method of METHODS) {
        const operation = item[method];
        if (operation) this.operations.push({ operationId: operation.operationId, method: method.toUpperCase(), pathTemplate: template, pointer: `${base}/${method}`, operation });
      }
      for (const [method, operation] of Object.entries<any>(item['x-oai-additionalOperations'] ?? {})) {
        this.operations.push({ operationId: operation.operationId, method: method.toUpperCase(), pathTemplate: template, pointer: `${base}/x-oai-additionalOperations/${method}`, operation });
      }
    }
    // Literal segments win over templated ones (e.g. /jobs/x before /jobs/{id} shapes).
    this.matchers.sort((a, b) => templateRank(a.template) - templateRank(b.template));
  }

  /** The operation a request reaches, by method and concrete path. */
  findOperation(method: string, rawPath: string): SpecOperation | undefined {
    const path = stripNamespace(rawPath);
    const upper = method.toUpperCase();
    for (const { regex, template } of this.matchers) {
      if (!regex.test(path)) continue;
      const op = this.operations.find((o) => o.pathTemplate === template && o.method === upper);
      if (op) return op;
    }
    return undefined;
  }

  /** Checks one response against the spec: documented status, content type and body schema. */
  checkResponse(res: ResponseToCheck): ResponseCheck {
    const op = this.findOperation(res.method, res.path);
    if (!op) return { violations: [`${res.method} ${res.path}: no operation in openapi.yaml`] };
    const where = `${op.operationId} (${res.method} ${op.pathTemplate}) ${res.status}`;
    const found = op.operation.responses?.[String(res.status)];
    if (!found) return { operationId: op.operationId, violations: [`${where}: status not documented`] };
    // A response may be a $ref to components/responses: validate under its own pointer.
    const responsePointer = found.$ref ?? `${op.pointer}/responses/${res.status}`;
    const response = this.resolve(responsePointer);
    const content: Record<string, any> | undefined = response.content;
    if (!content) {
      return { operationId: op.operationId, violations: res.body.length > 0 ? [`${where}: documented without a body, got ${res.body.length} bytes`] : [] };
    }
    const mediaType = (res.contentType ?? '').split(';')[0]!.trim().toLowerCase();
    if (!(mediaType in content)) {
      return { operationId: op.operationId, violations: [`${where}: content type "${mediaType}" not documented (${Object.keys(content).join(', ')})`] };
    }
    // An event stream is never read whole (it does not end): its events are checked by its tests.
    if (!content[mediaType].schema || mediaType === 'text/event-stream') return { operationId: op.operationId, violations: [] };
    let body: unknown = res.body;
    if (mediaType.endsWith('json')) {
      try {
        body = JSON.parse(res.body);
      } catch {
        return { operationId: op.operationId, violations: [`${where}: body is not JSON`] };
      }
    }
    let validate: ValidateFunction;
    try {
      validate = this.validator(`${responsePointer}/content/${escapePointer(mediaType)}/schema`);
    } catch (err) {
      return { operationId: op.operationId, violations: [`${where}: the spec's schema does not compile: ${(err as Error).message}`] };
    }
    if (validate(body)) return { operationId: op.operationId, violations: [] };
    const details = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
    return { operationId: op.operationId, violations: [`${where}: body breaks the schema: ${details.join('; ')}`] };
  }

  /** The object at a local JSON pointer ("#/components/responses/X"). */
  resolve(pointer: string): any {
    return pointer
      .replace(/^#\//, '')
      .split('/')
      .reduce((node: any, key) => node?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], this.doc);
  }

  /** A compiled validator for any schema in the spec, by JSON pointer ("#/components/schemas/X"). */
  validator(pointer: string): ValidateFunction {
    let validate = this.validators.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `openapi${pointer}` });
      this.validators.set(pointer, validate);
    }
    return validate;
  }
}

function templateRank(template: string): number {
  return (template.match(/\{/g) ?? []).length;
}

let shared: Spec | undefined;
/** The package's own openapi.yaml, parsed once per process. */
export function loadSpec(): Spec {
  shared ??= new Spec();
  return shared;
}

/** Validates openapi.yaml with swagger-parser (structure, refs, operationIds). */
export async function validateSpec(path = specPath): Promise<void> {
  const { default: SwaggerParser } = await import('@apidevtools/swagger-parser');
  await SwaggerParser.validate(path);
}
