import type { Queryable } from '../../lib/db/store';
import { verifyChain, type StoredRecord } from './chain';
import { decryptSubject, subjectHash, type AccessLogKeys } from './crypto';
import { findRecords, type RecordFilter } from './data';

/** Where a command writes: stdout and stderr lines. */
export interface CommandIo {
  out(line: string): void;
  err(line: string): void;
}

export interface CommandDeps {
  store: Queryable;
  /** Needed by person/user/denials (lookup and decryption); verify works without it. */
  keys?: AccessLogKeys;
  io: CommandIo;
}

export const USAGE = [
  'usage: npm run audit -- <command>',
  '  verify                              check the hash chain; exit 1 naming the first broken record',
  '  person <vNumber>                    every disclosure and denial about one person',
  '  user <sub>                          every read by one user (token subject)',
  '  denials [--from <iso>] [--to <iso>] denials recorded in [from, to)',
  'options: --json  one JSON object per record',
].join('\n');

const V_NUMBER = /^\d{10}$/;
const PAGE = 1000;

class UsageError extends Error {}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = args[i + 1];
  if (value === undefined || value.startsWith('--')) throw new UsageError(`${name} needs a value`);
  return value;
}

function dateOption(args: string[], name: string): Date | undefined {
  const value = option(args, name);
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(date.getTime())) throw new UsageError(`${name} must be an ISO 8601 date or date-time`);
  return date;
}

function subjectOf(record: StoredRecord, keys: AccessLogKeys): string {
  if (!record.data_subject_enc) return 'unknown';
  try {
    return decryptSubject(keys, record.data_subject_enc);
  } catch {
    return '<cannot decrypt with this ACCESS_LOG_KEY>';
  }
}

/** A record for privacy officers: the V-number in clear. */
function describe(record: StoredRecord, keys: AccessLogKeys, json: boolean): string {
  const view = {
    id: record.id,
    recordedAt: record.recorded_at.toISOString(),
    traceId: record.trace_id,
    actor: { subject: record.actor_subject, organisation: record.actor_organisation, roles: record.actor_roles },
    audience: record.audience,
    purpose: record.purpose,
    processingActivity: record.processing_activity,
    vNumber: subjectOf(record, keys),
    fieldsAllowed: record.fields_allowed,
    fieldsDenied: record.fields_denied,
    policyHash: record.policy_hash,
  };
  if (json) return JSON.stringify(view);
  const lines = [
    `#${view.id} ${view.recordedAt} trace ${view.traceId}`,
    `  who      ${view.actor.subject} (${view.actor.organisation}; roles ${view.actor.roles.join(', ')}; audience ${view.audience ?? 'none'})`,
    `  purpose  ${view.purpose ?? 'none'}${view.processingActivity && view.processingActivity !== view.purpose ? ` (activity ${view.processingActivity})` : ''}`,
    `  subject  ${view.vNumber}`,
  ];
  if (view.fieldsAllowed.length > 0) lines.push(`  allowed  ${view.fieldsAllowed.join(', ')}`);
  if (view.fieldsDenied.length > 0) lines.push(`  denied   ${view.fieldsDenied.map((d) => `${d.field} (rule ${d.rule})`).join(', ')}`);
  lines.push(`  policy   ${view.policyHash}`);
  return lines.join('\n');
}

async function list(deps: CommandDeps, filter: RecordFilter, json: boolean): Promise<number> {
  let after = 0;
  let shown = 0;
  for (;;) {
    const page = await findRecords(deps.store, filter, PAGE, after);
    for (const record of page.records) deps.io.out(describe(record, deps.keys!, json));
    shown += page.records.length;
    if (!page.hasNextPage || page.records.length === 0) break;
    after = page.records[page.records.length - 1]!.id;
  }
  if (!json) deps.io.out(`${shown} record${shown === 1 ? '' : 's'}`);
  return 0;
}

async function hasAccessLog(store: Queryable): Promise<boolean> {
  const [row] = await store.query<{ present: boolean }>(`SELECT to_regclass('audit.access_record') IS NOT NULL AS present`);
  return row?.present === true;
}

/**
 * Runs one `npm run audit` command against the access log store and returns the exit
 * code: 0 done (verify: chain intact), 1 verify found a break, 2 usage or setup error.
 * Output for person/user/denials shows V-numbers in clear: for privacy officers only.
 */
export async function runAuditCommand(args: readonly string[], deps: CommandDeps): Promise<number> {
  const rest = [...args];
  const json = rest.includes('--json');
  const positional = rest.filter((a) => a !== '--json');
  const [command, argument] = positional;
  try {
    if (!command || command === 'help' || command === '--help') {
      (command ? deps.io.out : deps.io.err)(USAGE);
      return command ? 0 : 2;
    }
    if (!['verify', 'person', 'user', 'denials'].includes(command)) throw new UsageError(`unknown command "${command}"`);
    if (!(await hasAccessLog(deps.store))) {
      deps.io.err('no access log in this store (schema audit has no access_record table): is this the audit store?');
      return 2;
    }
    if (command === 'verify') {
      const verdict = await verifyChain(deps.store);
      if (verdict.intact) {
        deps.io.out(`access log intact: ${verdict.count} record${verdict.count === 1 ? '' : 's'}, hash chain verified`);
        return 0;
      }
      deps.io.out(`access log BROKEN at record ${verdict.brokenAt}: ${verdict.reason}`);
      deps.io.out(`(${verdict.count} record${verdict.count === 1 ? '' : 's'} before it verified)`);
      return 1;
    }
    if (!deps.keys) {
      deps.io.err('ACCESS_LOG_KEY is required for this command (V-numbers are stored hashed and encrypted)');
      return 2;
    }
    if (command === 'person') {
      if (!argument || !V_NUMBER.test(argument)) throw new UsageError('person needs a V-number of exactly 10 digits');
      return await list(deps, { subjectHash: subjectHash(deps.keys, argument) }, json);
    }
    if (command === 'user') {
      if (!argument || argument.startsWith('--')) throw new UsageError('user needs the user id (token subject)');
      return await list(deps, { actorSubject: argument }, json);
    }
    const from = dateOption(rest, '--from');
    const to = dateOption(rest, '--to');
    if (from && to && from.getTime() >= to.getTime()) throw new UsageError('--from must be before --to');
    return await list(deps, { decision: 'DENIED', from, to }, json);
  } catch (error) {
    if (error instanceof UsageError) {
      deps.io.err(`${error.message}\n${USAGE}`);
      return 2;
    }
    throw error;
  }
}
