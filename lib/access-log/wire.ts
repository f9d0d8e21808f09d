/**
 * The access records the gateway sends to the audit subgraph (`POST /access-records`), one
 * batch per request: who asked, for which purpose, under which policy, and per data subject
 * which classified fields were released and which were denied by which rule. A POST body is
 * either one batch or, when the gateway coalesces the batches of concurrent requests, an
 * envelope `{ "batches": [batch, ...] }` (all committed in one transaction, or none).
 * Shared by the sender (gateway/access-log) and the receiver (subgraphs/audit) so both agree
 * on one shape and on the bounds.
 */

/** A denied field and the rule (or `default-deny`) that denied it. */
export interface FieldDenial {
  /** `Type.field`. */
  field: string;
  rule: string;
}

/** What one request did with one data subject's classified data. */
export interface SubjectAccess {
  /** The data subject's V-number, in clear on the wire (the audit service encrypts it); null when unknown. */
  vNumber: string | null;
  /** Audited fields released, as sorted `Type.field` coordinates. */
  fieldsAllowed: string[];
  /** Audited fields denied, sorted by field. */
  fieldsDenied: FieldDenial[];
}

/** The caller, as the gateway established it from the verified token. */
export interface AccessActor {
  subject: string;
  organisation: string;
  roles: string[];
  audience: string | null;
  purpose: string | null;
}

/** One POST body: every access record of one request. */
export interface AccessRecordBatch {
  /** W3C trace id (32 lower-case hex digits) shared with the subgraphs. */
  traceId: string;
  actor: AccessActor;
  /** The processing activity served: the purpose, with the operation name when the client gave one. */
  processingActivity: string | null;
  /** Content hash of the policy the decisions were made under. */
  policyHash: string;
  records: SubjectAccess[];
}

/** A POST body carrying the batches of several requests, committed together or not at all. */
export interface AccessRecordEnvelope {
  batches: AccessRecordBatch[];
}

/** Path of the audit subgraph's endpoint for access records. */
export const ACCESS_RECORDS_PATH = '/access-records';

/** The role of the gateway's own service identity, the only one allowed to write access records. */
export const ACCESS_LOG_WRITER_ROLE = 'access-log-writer';

/** Largest batch the audit service accepts (one request touching many persons, e.g. 100 departures). */
export const MAX_RECORDS_PER_BATCH = 1000;
const MAX_FIELDS_PER_RECORD = 500;

/**
 * Most batches (requests) one envelope carries. Enforced by the gateway when it coalesces
 * and by the audit service when it validates: one envelope is one transaction, and a
 * bounded one keeps the append lock from being held for long.
 */
export const MAX_BATCHES_PER_POST = 64;

/**
 * Most records one envelope carries, over all its batches: the audit service's group commit
 * takes at most this many records per transaction (subgraphs/audit/group-commit.ts), so an
 * envelope always fits in one. A single batch (up to MAX_RECORDS_PER_BATCH) always fits.
 */
export const MAX_RECORDS_PER_POST = 4_000;

/**
 * Most bytes of JSON the gateway puts in one coalesced POST. The audit service refuses a body
 * over 1,000,000 bytes (413, lib/subgraph/server.ts); this leaves room for the envelope and
 * for a service configured a little tighter. A single batch larger than this is still sent,
 * alone, as it always was.
 */
export const MAX_BYTES_PER_POST = 800_000;

const TRACE_ID = /^[0-9a-f]{32}$/;
const V_NUMBER = /^\d{10}$/;
const NAME = /^[a-z][a-z0-9-]{0,63}$/;
const COORDINATE = /^[A-Za-z_][A-Za-z0-9_]{0,99}\.[A-Za-z_][A-Za-z0-9_]{0,99}$/;
const POLICY_HASH = /^[0-9a-f]{8,64}$/;
// Printable, no control characters: these end up in a CLI's output.
const PRINTABLE = /^[^\u0000-\u001f\u007f]+$/;

type Problems = string[];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function onlyKeys(value: Record<string, unknown>, allowed: readonly string[], where: string, problems: Problems): void {
  // The key is named (it is the sender's bug to find), but digit runs are masked: a key can
  // be a V-number as easily as a value can.
  for (const key of Object.keys(value)) if (!allowed.includes(key)) problems.push(`${where}: unknown key "${key.slice(0, 40).replace(/\d{3,}/g, (d) => '#'.repeat(d.length))}"`);
}

function text(value: unknown, where: string, problems: Problems, pattern: RegExp, max = 256): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > max || !pattern.test(value)) problems.push(`${where}: malformed`);
}

function nullableText(value: unknown, where: string, problems: Problems, pattern: RegExp, max = 256): void {
  if (value !== null) text(value, where, problems, pattern, max);
}

function validateRecord(value: unknown, where: string, problems: Problems): void {
  if (!isObject(value)) {
    problems.push(`${where}: must be an object`);
    return;
  }
  onlyKeys(value, ['vNumber', 'fieldsAllowed', 'fieldsDenied'], where, problems);
  // Never echo the value: a malformed V-number is still personal data.
  if (value.vNumber !== null && (typeof value.vNumber !== 'string' || !V_NUMBER.test(value.vNumber))) {
    problems.push(`${where}.vNumber: must be a V-number of 10 digits or null`);
  }
  const allowed = value.fieldsAllowed;
  if (!Array.isArray(allowed) || allowed.length > MAX_FIELDS_PER_RECORD) problems.push(`${where}.fieldsAllowed: must be a list of at most ${MAX_FIELDS_PER_RECORD} fields`);
  else allowed.forEach((field, i) => text(field, `${where}.fieldsAllowed[${i}]`, problems, COORDINATE, 201));
  const denied = value.fieldsDenied;
  if (!Array.isArray(denied) || denied.length > MAX_FIELDS_PER_RECORD) problems.push(`${where}.fieldsDenied: must be a list of at most ${MAX_FIELDS_PER_RECORD} denials`);
  else {
    denied.forEach((denial, i) => {
      const at = `${where}.fieldsDenied[${i}]`;
      if (!isObject(denial)) {
        problems.push(`${at}: must be an object`);
        return;
      }
      onlyKeys(denial, ['field', 'rule'], at, problems);
      text(denial.field, `${at}.field`, problems, COORDINATE, 201);
      text(denial.rule, `${at}.rule`, problems, NAME);
    });
  }
  if (Array.isArray(allowed) && Array.isArray(denied) && allowed.length === 0 && denied.length === 0) {
    problems.push(`${where}: records nothing (no field allowed or denied)`);
  }
}

/**
 * Checks that `body` is an AccessRecordBatch. Returns the problems found (empty when
 * valid); each names where, never the offending value.
 */
export function validateBatch(body: unknown): string[] {
  const problems: Problems = [];
  if (!isObject(body)) return ['the body must be one JSON object'];
  onlyKeys(body, ['traceId', 'actor', 'processingActivity', 'policyHash', 'records'], 'body', problems);
  text(body.traceId, 'traceId', problems, TRACE_ID, 32);
  text(body.policyHash, 'policyHash', problems, POLICY_HASH, 64);
  nullableText(body.processingActivity, 'processingActivity', problems, PRINTABLE, 200);
  // Stored in clear: it must not smuggle a V-number in (e.g. from a client's operation name).
  if (typeof body.processingActivity === 'string' && /\d{10}/.test(body.processingActivity)) problems.push('processingActivity: must not contain a V-number');
  const actor = body.actor;
  if (!isObject(actor)) problems.push('actor: must be an object');
  else {
    onlyKeys(actor, ['subject', 'organisation', 'roles', 'audience', 'purpose'], 'actor', problems);
    text(actor.subject, 'actor.subject', problems, PRINTABLE);
    text(actor.organisation, 'actor.organisation', problems, NAME);
    if (!Array.isArray(actor.roles) || actor.roles.length === 0 || actor.roles.length > 32) problems.push('actor.roles: must be a list of 1 to 32 roles');
    else actor.roles.forEach((role, i) => text(role, `actor.roles[${i}]`, problems, NAME));
    nullableText(actor.audience, 'actor.audience', problems, NAME);
    nullableText(actor.purpose, 'actor.purpose', problems, NAME);
  }
  const records = body.records;
  if (!Array.isArray(records) || records.length === 0 || records.length > MAX_RECORDS_PER_BATCH) {
    problems.push(`records: must be a list of 1 to ${MAX_RECORDS_PER_BATCH} records`);
  } else {
    records.forEach((record, i) => validateRecord(record, `records[${i}]`, problems));
  }
  return problems;
}

/** A problem of validateBatch, said of the i-th batch of an envelope. */
function withinEnvelope(i: number, problem: string): string {
  if (problem === 'the body must be one JSON object') return `batches[${i}]: must be an object`;
  if (problem.startsWith('body: ')) return `batches[${i}]: ${problem.slice('body: '.length)}`;
  return `batches[${i}].${problem}`;
}

/** A POST body read as batches, or the problems that make it unacceptable. */
export type ParsedAccessRecords =
  | { ok: true; /** True for `{ batches: [...] }`, false for one bare batch. */ envelope: boolean; batches: AccessRecordBatch[] }
  | { ok: false; problems: string[] };

/**
 * Reads a `POST /access-records` body: one AccessRecordBatch (as ever) or an envelope
 * `{ "batches": [...] }` of 1 to MAX_BATCHES_PER_POST batches with at most
 * MAX_RECORDS_PER_POST records in all. Every batch is checked with validateBatch, its
 * problems prefixed with `batches[i].`. Accepts all batches or none; like validateBatch, the
 * problems name where, never an offending value.
 */
export function parseAccessRecords(body: unknown): ParsedAccessRecords {
  // An object with `batches` is an envelope; a batch has no such key (validateBatch would
  // refuse it), so the two shapes cannot be mistaken for each other.
  if (!isObject(body) || !('batches' in body)) {
    const problems = validateBatch(body);
    return problems.length > 0 ? { ok: false, problems } : { ok: true, envelope: false, batches: [body as unknown as AccessRecordBatch] };
  }
  const problems: Problems = [];
  onlyKeys(body, ['batches'], 'body', problems);
  const batches = body.batches;
  if (!Array.isArray(batches) || batches.length === 0 || batches.length > MAX_BATCHES_PER_POST) {
    problems.push(`batches: must be a list of 1 to ${MAX_BATCHES_PER_POST} batches`);
    return { ok: false, problems };
  }
  let records = 0;
  batches.forEach((batch, i) => {
    for (const problem of validateBatch(batch)) problems.push(withinEnvelope(i, problem));
    if (isObject(batch) && Array.isArray(batch.records)) records += batch.records.length;
  });
  if (records > MAX_RECORDS_PER_POST) problems.push(`batches: must hold at most ${MAX_RECORDS_PER_POST} records in all`);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, envelope: true, batches: batches as AccessRecordBatch[] };
}
