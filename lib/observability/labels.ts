/**
 * Label values for metrics and fields for log lines that are safe to emit: bounded in
 * number (a Prometheus series per distinct value) and free of personal data (an operation
 * name such as `Read2044001001` carries a V-number; a client may put anything in a name).
 */

/** The label and log value of operations without a (resolved) name. */
export const ANONYMOUS = 'anonymous';

/** The label value of everything past a BoundedLabel's cap. */
export const OTHER = 'other';

const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;
const ERROR_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

/**
 * A label whose distinct values are capped: the first `max` values seen are passed
 * through, every later new value becomes `other`. Keeps a metric's series count bounded
 * whatever clients send.
 */
export class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(
    private readonly max: number,
    private readonly overflow = OTHER,
  ) {}

  /** The label value to use for `raw`. */
  value(raw: string): string {
    if (this.seen.has(raw)) return raw;
    if (this.seen.size >= this.max) return this.overflow;
    this.seen.add(raw);
    return raw;
  }
}

/**
 * An operation name fit for logs and labels: a valid GraphQL name, at most 64 characters,
 * with every run of three or more digits masked (`Read2044001001` -> `Read##########`), so
 * that no V-number reaches a log or a metric. Anything else (absent, not a GraphQL name)
 * is `anonymous`.
 */
export function safeOperationName(name: string | null | undefined): string {
  if (!name || !GRAPHQL_NAME.test(name)) return ANONYMOUS;
  return name.replace(/\d{3,}/g, (digits) => '#'.repeat(digits.length)).slice(0, 64);
}

/** An error code fit for logs and labels (`FORBIDDEN`, `SUBGRAPH_TIMEOUT`); anything else is `UNKNOWN`. */
export function safeErrorCode(code: unknown): string {
  return typeof code === 'string' && ERROR_CODE.test(code) ? code : 'UNKNOWN';
}
