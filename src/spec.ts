import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Ajv, Options as AjvOptions, ValidateFunction } from 'ajv';
import { stripNamespace } from './namespace.js';
import { packageFile } from './paths.js';
import { prebuilt, textKey } from './prebuilt.js';

export const specPath = packageFile('openapi.yaml');
// Ajv and the YAML parser are loaded when a Spec needs them, not with this module: start-up needs
// neither, and with the build's dist/openapi-*.cjs neither does the first request.
const require = createRequire(import.meta.url);

/** How openapi.yaml's schemas are compiled, at run time here or at build time (scripts/build-startup.js). */
export const specAjvOptions = { strict: false, allErrors: true } as const;

/** Names the spec text and the options its prebuilt parse and validators were made from (sha256). */
export function specKey(text: string): string {
  return textKey(JSON.stringify(specAjvOptions), text);
}

/** An Ajv holding the parsed spec as schema "openapi" (with formats); `extra` adds options (the build's code.source). */
export function createSpecAjv(doc: object, extra: AjvOptions = {}): Ajv {
  const { Ajv } = require('ajv') as typeof import('ajv');
  const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;
  const ajv = new Ajv({ ...specAjvOptions, ...extra });
  addFormats(ajv);
  ajv.addSchema(doc, 'openapi');
  return ajv;
}

/**
 * dist/openapi-doc.cjs: openapi.yaml parsed, as JSON text, and for each schemaPointers() entry the
 * N of dist/openapi-validators/N.cjs, its Ajv standalone code.
 */
type PrebuiltDoc = { json: string; validators: Record<string, number> };

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
  private readonly key: string;
  private ajv?: Ajv;
  /** Prebuilt validator files by pointer, when dist/ was built from this text. */
  private readonly built: Record<string, number>;
  private readonly validators = new Map<string, ValidateFunction>();

  /**
   * Parses `text` (default: the package's openapi.yaml). While it is the text the build saw, the
   * parse and the validators come from dist/ (prepared by scripts/build-startup.js): the first
   * request then compiles nothing (it took about half a second).
   */
  constructor(text = readFileSync(specPath, 'utf8')) {
    this.key = specKey(text);
    const doc = prebuilt<PrebuiltDoc>('openapi-doc.cjs', this.key);
    this.doc = (doc ? JSON.parse(doc.json) : (require('yaml') as typeof import('yaml')).parse(text)) as OpenApiDoc;
    this.built = doc?.validators ?? {};
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
    const responsePointer = this.responsePointer(op, String(res.status));
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
      validate = this.validator(schemaPointer(responsePointer, mediaType));
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

  /**
   * Runs, once, the format checks whose first use is slow: ajv-formats' `uri` is a large
   * case-insensitive regular expression that V8 compiles on its first two runs (20–40 ms), and
   * the run's answer (attach_url, operation_url) is the first to use it.
   */
  warmFormats(): void {
    const { fullFormats } = require('ajv-formats/dist/formats') as typeof import('ajv-formats/dist/formats.js');
    const uri = fullFormats.uri as (value: string) => boolean;
    for (let i = 0; i < 2; i++) uri(`http://127.0.0.1:8090/v1/apps/app/operations/${i}`);
  }

  /** Where a response of an operation is described: its own entry, or the components/responses entry it refers to. */
  responsePointer(op: SpecOperation, status: string): string {
    return op.operation.responses?.[status]?.$ref ?? `${op.pointer}/responses/${status}`;
  }

  /** The JSON schema of an operation's JSON request body, by pointer (what checkJsonBody validates), if it has one. */
  requestSchemaPointer(op: SpecOperation): string | undefined {
    const body = op.operation.requestBody;
    if (!body) return undefined;
    const pointer = body.$ref ?? `${op.pointer}/requestBody`;
    return this.resolve(pointer)?.content?.['application/json']?.schema ? schemaPointer(pointer, 'application/json') : undefined;
  }

  /** Every schema the server validates against: JSON request bodies and response bodies (event streams aside). */
  schemaPointers(): string[] {
    const pointers = new Set<string>();
    for (const op of this.operations) {
      const request = this.requestSchemaPointer(op);
      if (request) pointers.add(request);
      for (const status of Object.keys(op.operation.responses ?? {})) {
        const base = this.responsePointer(op, status);
        for (const [mediaType, content] of Object.entries<any>(this.resolve(base)?.content ?? {})) {
          if (content?.schema && mediaType.toLowerCase() !== 'text/event-stream') pointers.add(schemaPointer(base, mediaType.toLowerCase()));
        }
      }
    }
    return [...pointers];
  }

  /** A compiled validator for any schema in the spec, by JSON pointer ("#/components/schemas/X"). */
  validator(pointer: string): ValidateFunction {
    let validate = this.validators.get(pointer);
    if (!validate) {
      const file = Object.hasOwn(this.built, pointer) ? `openapi-validators/${this.built[pointer]}.cjs` : undefined;
      validate = (file && prebuilt<ValidateFunction>(file, this.key)) || (this.ajv ??= createSpecAjv(this.doc)).compile({ $ref: `openapi${pointer}` });
      this.validators.set(pointer, validate);
    }
    return validate;
  }
}

/** The pointer of the schema of one media type under a request body or response pointer. */
function schemaPointer(base: string, mediaType: string): string {
  return `${base}/content/${escapePointer(mediaType)}/schema`;
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
