/**
 * The partner subgraphs, in composition order, with their default ports. This is the one
 * list to extend when a partner joins (with its folder under subgraphs/ and one line in
 * subgraphs/index.ts); it lives apart from the definitions so composition and the gateway
 * need not load any resolver code.
 */
export const SUBGRAPH_PORTS = {
  dtv: 4001,
  dji: 4002,
  dvo: 4003,
  coa: 4004,
  medical: 4005,
  // Not a partner: the privacy office's access log (gateway access records, privacy officers' queries).
  audit: 4006,
} as const;

export type SubgraphName = keyof typeof SUBGRAPH_PORTS;

export const SUBGRAPH_NAMES = Object.keys(SUBGRAPH_PORTS) as SubgraphName[];
