import { fileURLToPath } from 'node:url';

/** A file shipped at the package root; works from src/ (tests) and dist/ (installed). */
export function packageFile(relative: string): string {
  return fileURLToPath(new URL(`../${relative}`, import.meta.url));
}
