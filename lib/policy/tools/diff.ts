import type { CompiledPolicy } from '../compiled';
import { accessCell, grantLevels, sharedContexts, type AccessCell } from './access';

/** One field whose access changed for one audience. */
export interface AccessChange {
  field: string;
  /**
   * gain: more access for some requests and less for none; loss: less for some and more for
   * none; changed: more for some requests, less for others.
   */
  kind: 'gain' | 'loss' | 'changed';
  before: AccessCell;
  after: AccessCell;
}

/** What changes for one audience between two policies. */
export interface AudienceDiff {
  audience: string;
  /** Present in only one of the two policies. */
  presence: 'both' | 'added' | 'removed';
  changes: AccessChange[];
}

/** What changes between two policies: per audience, and roles that map to another audience. */
export interface PolicyDiff {
  audiences: AudienceDiff[];
  roles: Array<{ role: string; before: string | null; after: string | null }>;
}

function roleMap(policy: CompiledPolicy): Map<string, string> {
  const roles = new Map<string, string>();
  for (const [audience, definition] of Object.entries(policy.document.audiences)) {
    for (const role of definition.roles) if (!roles.has(role)) roles.set(role, audience);
  }
  return roles;
}

/**
 * Compares what every audience gets of every classified field under two policies (both
 * decided against the same supergraph fields), request by request: for every purpose and
 * organisation either policy distinguishes. An audience missing from one policy gets
 * nothing there (deny by default), so adding or removing it shows as gains or losses.
 */
export function diffPolicies(before: CompiledPolicy, after: CompiledPolicy, fields: readonly string[]): PolicyDiff {
  const names = [...Object.keys(after.document.audiences), ...Object.keys(before.document.audiences).filter((a) => !(a in after.document.audiences))];
  const contexts = sharedContexts(before.document, after.document);
  const audiences = names.map((audience): AudienceDiff => {
    const inBefore = audience in before.document.audiences;
    const inAfter = audience in after.document.audiences;
    const changes: AccessChange[] = [];
    for (const field of fields) {
      const levelsBefore = grantLevels(before, inBefore ? audience : null, field, contexts);
      const levelsAfter = grantLevels(after, inAfter ? audience : null, field, contexts);
      const more = levelsAfter.some((level, i) => level > levelsBefore[i]!);
      const less = levelsAfter.some((level, i) => level < levelsBefore[i]!);
      if (!more && !less) continue;
      const kind = more && less ? 'changed' : more ? 'gain' : 'loss';
      changes.push({ field, kind, before: accessCell(before, inBefore ? audience : null, field), after: accessCell(after, inAfter ? audience : null, field) });
    }
    return { audience, presence: inBefore && inAfter ? 'both' : inAfter ? 'added' : 'removed', changes };
  });
  const rolesBefore = roleMap(before);
  const rolesAfter = roleMap(after);
  const roles = [...new Set([...rolesAfter.keys(), ...rolesBefore.keys()])]
    .filter((role) => rolesBefore.get(role) !== rolesAfter.get(role))
    .map((role) => ({ role, before: rolesBefore.get(role) ?? null, after: rolesAfter.get(role) ?? null }));
  return { audiences, roles };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The diff as text: per audience, `+` gained, `-` lost and `~` changed fields with before → after. */
export function renderDiff(diff: PolicyDiff): string[] {
  const lines: string[] = [];
  for (const entry of diff.audiences) {
    const gains = entry.changes.filter((c) => c.kind === 'gain').length;
    const losses = entry.changes.filter((c) => c.kind === 'loss').length;
    const changed = entry.changes.filter((c) => c.kind === 'changed').length;
    const note = entry.presence === 'added' ? ' (new audience)' : entry.presence === 'removed' ? ' (audience removed)' : '';
    if (entry.changes.length === 0) {
      lines.push(`${entry.audience}${note}: no change`);
      continue;
    }
    const parts = [
      ...(gains ? [`gains ${plural(gains, 'field')}`] : []),
      ...(losses ? [`loses ${plural(losses, 'field')}`] : []),
      ...(changed ? [`${plural(changed, 'field')} with gains and losses`] : []),
    ];
    lines.push(`${entry.audience}${note}: ${parts.join(', ')}`);
    for (const change of entry.changes) {
      const mark = change.kind === 'gain' ? '+' : change.kind === 'loss' ? '-' : '~';
      lines.push(`  ${mark} ${change.field}: ${change.before.text} -> ${change.after.text}`);
    }
  }
  for (const role of diff.roles) {
    lines.push(`role ${role.role}: ${role.before ?? 'no audience'} -> ${role.after ?? 'no audience'}`);
  }
  return lines;
}
