import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { packageFile } from './paths.js';

const require = createRequire(import.meta.url);

/** Names a text (and what it was compiled with) whose value was prepared at build time: sha256, hex. */
export function textKey(...parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
}

/**
 * A module scripts/build-startup.js wrote into dist/ (from src/ too: tests use the build's work),
 * when it was made from the text named by `key` (its `key` export); otherwise undefined, and the
 * caller does the work at run time.
 */
export function prebuilt<T extends object>(file: string, key: string): T | undefined {
  try {
    const built = require(packageFile(`dist/${file}`)) as T & { key?: unknown };
    return built.key === key ? built : undefined;
  } catch {
    return undefined; // not built
  }
}
