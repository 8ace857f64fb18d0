export interface PrismOptions {
  /** Path of the OpenAPI document. */
  spec: string;
  /** `prism proxy` in front of this URL; without it, `prism mock`. */
  upstream?: string;
  /** --errors: a response that breaks the spec becomes Prism's 500 (default true). */
  errors?: boolean;
  /** false: --validate-request=false, requests reach the upstream unchecked (default true). */
  validateRequest?: boolean;
  timeoutMs?: number;
}

export interface RunningPrism {
  url: string;
  pid: number;
  stop(): Promise<void>;
  /** What Prism printed so far. */
  output(): string;
}

export function prismEntry(): string;
export function startPrism(options: PrismOptions): Promise<RunningPrism>;
