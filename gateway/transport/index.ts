import type { RemoteGraphQLDataSource } from '@apollo/gateway';
import type { TransportConfig } from './config';
import { createKeepAliveFetcher, type KeepAliveFetcher } from './keep-alive-fetcher';

export { readTransportConfig, type TransportConfig } from './config';

/** One keep-alive connection pool per subgraph, created on first use. */
export interface SubgraphTransport {
  /** The fetch the subgraph's data source sends with (the signing wrapper goes around it). */
  fetcherFor(subgraph: string): RemoteGraphQLDataSource['fetcher'];
  /** Closes every pool's idle connections (gateway shutdown). */
  close(): void;
}

export function createSubgraphTransport(config: TransportConfig): SubgraphTransport {
  const pools = new Map<string, KeepAliveFetcher>();
  return {
    fetcherFor(subgraph) {
      let pool = pools.get(subgraph);
      if (!pool) {
        pool = createKeepAliveFetcher(config.keepAlive);
        pools.set(subgraph, pool);
      }
      return pool.fetcher;
    },
    close() {
      for (const pool of pools.values()) pool.close();
      pools.clear();
    },
  };
}
