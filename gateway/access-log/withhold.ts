import { GraphQLError } from 'graphql';
import type { Path, Release } from './records';

/** Error code of a field withheld because its access record could not be written. */
export const ACCESS_LOG_UNAVAILABLE = 'ACCESS_LOG_UNAVAILABLE';

/** The message of every withheld field; says nothing about the value. */
export const WITHHELD_MESSAGE = 'withheld: the access log could not be written';

function setNull(data: Record<string, unknown>, path: Path): void {
  let node: unknown = data;
  for (let i = 0; i < path.length - 1; i++) {
    if (node === null || typeof node !== 'object') return;
    node = (node as Record<string | number, unknown>)[path[i]!];
  }
  if (node !== null && typeof node === 'object') (node as Record<string | number, unknown>)[path[path.length - 1]!] = null;
}

/**
 * Withholds every released audited field: null at its anchor (the field, or its nearest
 * nullable ancestor when it is non-null) and one ACCESS_LOG_UNAVAILABLE error at its path.
 * Data outside the released fields is untouched unless a non-null field forces its
 * ancestor to null. Mutates `data`; returns it (null when the root had to go).
 */
export function withholdReleases(
  data: Record<string, unknown>,
  releases: readonly Release[],
): { data: Record<string, unknown> | null; errors: GraphQLError[] } {
  const errors: GraphQLError[] = [];
  let root: Record<string, unknown> | null = data;
  for (const release of releases) {
    errors.push(new GraphQLError(WITHHELD_MESSAGE, { path: release.path, extensions: { code: ACCESS_LOG_UNAVAILABLE, field: release.coordinate } }));
    if (release.anchor.length === 0) root = null;
    else if (root) setNull(root, release.anchor);
  }
  return { data: root, errors };
}
