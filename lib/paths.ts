import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

let cachedRoot: string | undefined;

/**
 * The repository root: the nearest ancestor of this module holding package.json.
 * Works from TypeScript sources (tests, tsx) and from the compiled `dist/` tree alike,
 * so SDL files, migrations and the policy are always read from their source location.
 */
export function repoRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = __dirname;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'schema'))) {
      cachedRoot = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('chain-gateway: cannot find the repository root from ' + __dirname);
    dir = parent;
  }
}

/** Resolves a path relative to the repository root. */
export function fromRoot(...segments: string[]): string {
  return resolve(repoRoot(), ...segments);
}
