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

/** The defaults of {@link InputLimits}, measured against the deepest and costliest queries the README and tests use. */
export const DEFAULT_INPUT_LIMITS: Readonly<InputLimits> = {
  maxDepth: 12,
  maxAliases: 30,
  maxTokens: 2000,
  maxListSize: 100,
  maxCost: 200_000,
  costListFactor: 10,
};
