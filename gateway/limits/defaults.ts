/** The gateway's limits on incoming operations; README "Configuration" documents each. */
export interface InputLimits {
  /** MAX_DEPTH: deepest field nesting (default 12). */
  maxDepth: number;
  /** MAX_ALIASES: most aliased fields per operation (default 30). */
  maxAliases: number;
  /** MAX_TOKENS: most tokens per document (default 2000). */
  maxTokens: number;
  /** MAX_LIST_SIZE: largest `first`/`last` (default 100). */
  maxListSize: number;
  /** MAX_COST: highest estimated cost (default 200000; see gateway/limits/cost.ts). */
  maxCost: number;
  /** COST_LIST_FACTOR: what a list without a page size multiplies its selections by (default 10). */
  costListFactor: number;
}

/**
 * The defaults of {@link InputLimits}, with headroom over the legitimate queries of the
 * README and the test suites (tests/limits/defaults.test.ts measures them): deepest 8 levels
 * (a departure's person's transport orders' restraint decisions' classification's
 * provenance), at most 2 aliases, at most 441 tokens (the full person query), page sizes up
 * to 100, costliest 104 506 (the departures list with the whole person-centred picture on a
 * page of 100; two such pages in one request exceed MAX_COST).
 */
export const DEFAULT_INPUT_LIMITS: Readonly<InputLimits> = {
  maxDepth: 12,
  maxAliases: 30,
  maxTokens: 2000,
  maxListSize: 100,
  maxCost: 200_000,
  costListFactor: 10,
};
