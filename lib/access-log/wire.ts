/**
 * The access records the gateway sends to the audit subgraph (`POST /access-records`), one
 * batch per request: who asked, for which purpose, under which policy, and per data subject
 * which classified fields were released and which were denied by which rule. Shared by the
 * sender (gateway/access-log) and the receiver (subgraphs/audit) so both agree on one shape.
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

/** Path of the audit subgraph's endpoint for access records. */
export const ACCESS_RECORDS_PATH = '/access-records';

/** The role of the gateway's own service identity, the only one allowed to write access records. */
export const ACCESS_LOG_WRITER_ROLE = 'access-log-writer';

/** Largest batch the audit service accepts (one request touching many persons, e.g. 100 departures). */
export const MAX_RECORDS_PER_BATCH = 1000;
const MAX_FIELDS_PER_RECORD = 500;

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
  for (const key of Object.keys(value)) if (!allowed.includes(key)) problems.push(`${where}: unknown key "${key.slice(0, 40)}"`);
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
