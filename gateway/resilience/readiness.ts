import type { ServerResponse } from 'node:http';
import { sendJson, type Route } from '../../lib/http/graphql-handler';
import type { CompiledPolicy } from '../../lib/policy/compiled';
import type { BreakerSnapshot } from './circuit-breaker';

/**
 * The readiness URL of a subgraph, derived from its configured GraphQL URL: the last path
 * segment replaced by `ready` (`http://dji:4002/graphql` -> `http://dji:4002/ready`,
 * `https://partner/chain/graphql` -> `https://partner/chain/ready`). The gateway contacts
 * nothing but its subgraphs, so it never probes any other address.
 */
export function readyUrlOf(graphqlUrl: string): string {
  const url = new URL(graphqlUrl);
  url.pathname = url.pathname.replace(/\/+$/, '');
  url.search = '';
  url.hash = '';
  return new URL('ready', url).toString();
}

/** One subgraph as the gateway's `/ready` reports it. */
export interface SubgraphReadiness {
  /** `ready`: its /ready answered 200; `not-ready`: it answered otherwise; `unreachable`; `timeout`. */
  state: 'ready' | 'not-ready' | 'unreachable' | 'timeout';
  breaker?: BreakerSnapshot;
}

/** The gateway's `/ready` body. */
export interface GatewayReadiness {
  status: 'ready' | 'not-ready';
  policy: { loaded: boolean; version?: string; hash?: string };
  subgraphs: Record<string, SubgraphReadiness>;
}

/** What the gateway's readiness check needs. */
export interface GatewayReadinessOptions {
  /** The configured GraphQL URL of each subgraph. */
  subgraphUrls: Record<string, string>;
  /** How long to wait for each subgraph's /ready, in ms. */
  timeoutMs: number;
  /** The policy in force (throws or returns nothing when none is loaded). */
  policy: () => CompiledPolicy | undefined;
  /** The circuit breakers' states. */
  breakers: () => Record<string, BreakerSnapshot>;
  /** The fetch to probe with (tests); default the global fetch. */
  fetch?: typeof fetch;
}

async function probe(url: string, timeoutMs: number, fetchImpl: typeof fetch): Promise<SubgraphReadiness['state']> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetchImpl(url, { method: 'GET', signal, headers: { accept: 'application/json' }, redirect: 'manual' });
    await response.arrayBuffer().catch(() => undefined);
    return response.status === 200 ? 'ready' : 'not-ready';
  } catch {
    return signal.aborted ? 'timeout' : 'unreachable';
  }
}

/**
 * The gateway's readiness: the policy is loaded and every subgraph's `/ready` answers 200
 * within `timeoutMs` (probed in parallel). Concurrent checks share one round of probes, so
 * a burst of probes from load balancers does not multiply the load on the partners.
 */
export function useGatewayReadiness(options: GatewayReadinessOptions): { check(): Promise<GatewayReadiness>; route: Route } {
  const fetchImpl = options.fetch ?? fetch;
  const targets = Object.entries(options.subgraphUrls).map(([name, url]) => [name, readyUrlOf(url)] as const);
  let inFlight: Promise<GatewayReadiness> | undefined;

  const run = async (): Promise<GatewayReadiness> => {
    let policy: GatewayReadiness['policy'] = { loaded: false };
    try {
      const current = options.policy();
      if (current) policy = { loaded: true, version: current.version, hash: current.hash };
    } catch {
      // not loaded
    }
    const states = await Promise.all(targets.map(async ([name, url]) => [name, await probe(url, options.timeoutMs, fetchImpl)] as const));
    const breakers = options.breakers();
    const subgraphs: Record<string, SubgraphReadiness> = {};
    for (const [name, state] of states) subgraphs[name] = { state, breaker: breakers[name] ?? { state: 'closed', consecutiveFailures: 0 } };
    const ready = policy.loaded && states.every(([, state]) => state === 'ready');
    return { status: ready ? 'ready' : 'not-ready', policy, subgraphs };
  };

  const check = () => {
    if (!inFlight) inFlight = run().finally(() => (inFlight = undefined));
    return inFlight;
  };

  return {
    check,
    async route(_req, res: ServerResponse) {
      const result = await check();
      res.setHeader('cache-control', 'no-store');
      sendJson(res, result.status === 'ready' ? 200 : 503, result);
    },
  };
}
