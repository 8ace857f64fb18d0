import type { Socket } from 'node:net';

export declare const basic: (password: string) => string;
export declare const bearer: (token: string) => Record<string, string>;

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed when the answer is JSON, else the text. */
  body: any;
}

export declare function exchangeToken(base: string, apiToken: string): Promise<string>;
export declare function runOneOff(base: string, token: string, body?: object, app?: string): Promise<Answer & { operationUrl: string; attachUrl: string | undefined }>;

export interface Tunnel {
  socket: Socket;
  /** The status line and headers, as received, with the empty line. */
  head: string;
  /** Resolves with every byte received after the head, once the server closes its side. */
  rest: Promise<Buffer>;
}

export declare function openTunnel(attachUrl: string, options?: { headers?: Record<string, string>; sameWrite?: string; timeoutMs?: number }): Promise<Tunnel>;
