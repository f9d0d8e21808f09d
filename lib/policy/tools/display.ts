import { isAbsolute, relative, resolve } from 'node:path';

/**
 * The path to show a user for a file: relative to `cwd` when the file lies under it
 * (`schema/policy.yaml`), else absolute. Tool output names files this way.
 */
export function displayPath(file: string, cwd: string): string {
  const absolute = resolve(cwd, file);
  const rel = relative(cwd, absolute);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : absolute;
}
