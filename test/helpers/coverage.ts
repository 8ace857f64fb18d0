import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';

/** Where test files drop the operation × status pairs they saw, for the coverage check. */
export const coverageDir = join(process.cwd(), '.contract-coverage');

export function recordCoverage(seen: { operationId: string; status: number }[]): void {
  mkdirSync(coverageDir, { recursive: true });
  writeFileSync(join(coverageDir, `${randomUUID()}.json`), JSON.stringify(seen));
}
