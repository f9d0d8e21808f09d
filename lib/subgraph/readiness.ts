import type { ServerResponse } from 'node:http';
import type { Store } from '../db/store';
import { sendJson, type Route } from '../http/graphql-handler';
import type { CompiledPolicy } from '../policy/compiled';

/** How long a subgraph's `/ready` waits for its store (below the gateway's READINESS_TIMEOUT_MS default). */
export const STORE_PING_TIMEOUT_MS = 750;

/** A subgraph's `/ready` body. */
export interface SubgraphReadinessReport {
  status: 'ready' | 'not-ready';
  subgraph: string;
  checks: { store: 'ok' | 'failed' | 'timeout'; policy: 'ok' | 'failed' };
  policy?: string;
}

/** What a subgraph's readiness check needs. */
export interface SubgraphReadinessOptions {
  subgraph: string;
  store: Pick<Store, 'ping'>;
  /** The policy in force. */
  policy: () => CompiledPolicy | undefined;
  /** How long to wait for the store (default STORE_PING_TIMEOUT_MS). */
  timeoutMs?: number;
}

async function pingStore(store: Pick<Store, 'ping'>, timeoutMs: number): Promise<SubgraphReadinessReport['checks']['store']> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    return await Promise.race([store.ping().then(() => 'ok' as const), late]);
  } catch {
    return 'failed';
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A subgraph's readiness (`GET /ready`): its store answers a ping within the timeout and
 * its policy is loaded. 200 with `status: ready`, else 503 with what failed; the body
 * names no database, host or error detail.
 */
export function useSubgraphReadiness(options: SubgraphReadinessOptions): { check(): Promise<SubgraphReadinessReport>; route: Route } {
  const check = async (): Promise<SubgraphReadinessReport> => {
    let hash: string | undefined;
    try {
      hash = options.policy()?.hash;
    } catch {
      hash = undefined;
    }
    const store = await pingStore(options.store, options.timeoutMs ?? STORE_PING_TIMEOUT_MS);
    const policy = hash ? ('ok' as const) : ('failed' as const);
    return {
      status: store === 'ok' && policy === 'ok' ? 'ready' : 'not-ready',
      subgraph: options.subgraph,
      checks: { store, policy },
      ...(hash ? { policy: hash } : {}),
    };
  };
  return {
    check,
    async route(_req, res: ServerResponse) {
      const report = await check();
      res.setHeader('cache-control', 'no-store');
      sendJson(res, report.status === 'ready' ? 200 : 503, report);
    },
  };
}
