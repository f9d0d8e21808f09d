import type { DocumentNode } from 'graphql';
import type { Store } from '../db/store';
import type { DemoWorld } from '../demo/world';
import type { Identity } from '../identity/identity';
import type { SignedIdentity } from '../identity/signing';

/**
 * Resolvers by type name and field name. Kept loose on purpose: each resolver types its own
 * parent and arguments, and graphql-js checks the shapes at run time against the SDL.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ResolverMap = Record<string, Record<string, any>>;

/**
 * The partners of the chain, as they appear in provenance; `AUDIT` is the privacy office's
 * access log service, which records no facts of its own and never appears in provenance.
 */
export type Partner = 'DTV' | 'DJI' | 'DVO' | 'COA' | 'MEDICAL' | 'AUDIT';

/** Per-request state every subgraph resolver receives. */
export interface SubgraphContext<Loaders = unknown> {
  /** The caller, as signed by the gateway and re-derived against the policy by this subgraph. */
  identity: Identity;
  /** This request's DataLoaders: one batch per kind of lookup, cached for this request only. */
  loaders: Loaders;
  store: Store;
  /** Now, fixed once per request so every fact in one answer is judged against the same moment. */
  now: Date;
  /** Staleness window in days (STALENESS_WINDOW_DAYS, default 7). */
  stalenessWindowDays: number;
  /** The environment the subgraph was started with (keys and settings a subgraph reads itself). */
  env: NodeJS.ProcessEnv;
}

/** A POST request to a subgraph route, after the generic server verified the gateway's signature. */
export interface SignedPostRequest {
  /** The identity the gateway signed (for access records: its own service identity). */
  identity: SignedIdentity;
  /** The JSON body, parsed; the route validates its shape. */
  body: unknown;
}

/** What a POST route answers: an HTTP status and a JSON body. */
export interface RouteReply {
  status: number;
  body: unknown;
}

/** A POST endpoint of a subgraph besides /graphql (e.g. the audit subgraph's /access-records). */
export type SignedPostRoute = (request: SignedPostRequest) => Promise<RouteReply>;

/** What a subgraph's routes may use, handed over once at start. */
export interface RouteDeps {
  env: NodeJS.ProcessEnv;
}

/**
 * Everything the shared runner needs to serve one partner's subgraph. A partner folder
 * exports one of these from `index.ts`; `subgraphs/index.ts` lists them.
 */
export interface SubgraphDefinition<Loaders = unknown> {
  /** Short name: the subgraph name in the supergraph, the database schema and the env prefix. */
  name: string;
  partner: Partner;
  /** Default HTTP port (gateway 4000, subgraphs 4001-4005). */
  defaultPort: number;
  /** The SDL, parsed from the folder's `schema.graphql`. */
  typeDefs: DocumentNode;
  /** Resolvers by type and field; `__resolveReference` for entities. */
  resolvers: ResolverMap;
  /** Creates fresh loaders for one request. */
  createLoaders(store: Store): Loaders;
  /** Folder with this subgraph's numbered SQL migrations. */
  migrationsDir: string;
  /**
   * Writes the partner's demo rows for `world` into an empty store. Must be deterministic
   * for a given world and must batch inserts (benchmarks load 10,000 persons).
   */
  seedDemo(store: Store, world: DemoWorld): Promise<void>;
  /** True when the store holds no persons yet (demo seeding runs only then). */
  isEmpty(store: Store): Promise<boolean>;
  /**
   * Optional POST endpoints by path, served beside /graphql by the generic server. Like
   * GraphQL requests they must carry the gateway's signature (401 otherwise) and a JSON
   * body (415/400 otherwise); the route answers everything else. Called once at start.
   */
  httpRoutes?(store: Store, deps: RouteDeps): Record<string, SignedPostRoute>;
}
