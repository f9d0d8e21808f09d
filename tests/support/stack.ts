import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DevTokenOptions } from '../../lib/identity/dev-keys';
import { startStack, type Stack, type StackOptions } from '../../scripts/stack';
import { freshDatabase } from './database';

export interface TestStack extends Stack {
  /** POSTs an operation to the gateway with a token for `role` (or the given token/headers). */
  query<T = any>(query: string, options?: QueryOptions): Promise<GraphQLResponse<T>>;
  storeKind: 'postgres' | 'embedded';
  /** The environment the stack runs with (DATABASE_URL when on PostgreSQL), for tools run beside it. */
  env: NodeJS.ProcessEnv;
}

export interface QueryOptions {
  variables?: Record<string, unknown>;
  role?: string;
  token?: string | null;
  tokenOptions?: Partial<DevTokenOptions>;
  headers?: Record<string, string>;
  operationName?: string;
}

export interface GraphQLResponse<T> {
  status: number;
  body: { data?: T | null; errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, any> }> };
}

const LOADED_MACHINE_DEFAULTS: NodeJS.ProcessEnv = { SUBGRAPH_TIMEOUT_MS: '30000', CIRCUIT_BREAKER_THRESHOLD: '1000' };

/**
 * Starts the whole product for one test file: a fresh database (PostgreSQL with
 * TEST_DATABASE_URL, else embedded), the subgraphs (five partners and the audit log) and
 * the gateway on free ports, keys in a temporary folder.
 */
export async function startTestStack(options: StackOptions & { forceEmbedded?: boolean } = {}): Promise<TestStack> {
  const database = await freshDatabase({ forceEmbedded: options.forceEmbedded });
  const keysDir = mkdtempSync(join(tmpdir(), 'chain-keys-'));
  // Suites share two cores with each other; a partner slowed by that load is not what they
  // test. The resilience suites set their own timeouts and breaker thresholds.
  const env = { ...LOADED_MACHINE_DEFAULTS, ...database.env, ...(options.env ?? {}) };
  delete env.GATEWAY_SIGNING_SECRET;
  if (!options.env?.ACCESS_LOG_KEY) delete env.ACCESS_LOG_KEY;
  let stack: Stack;
  try {
    stack = await startStack({ ...options, env, ephemeralPorts: true, keysDir });
  } catch (error) {
    await database.drop();
    throw error;
  }
  const tokens = new Map<string, string>();
  return {
    ...stack,
    storeKind: database.kind,
    env,
    async query(query, queryOptions = {}) {
      let token = queryOptions.token;
      if (token === undefined) {
        const role = queryOptions.role ?? 'return-officer';
        const key = JSON.stringify({ role, ...queryOptions.tokenOptions });
        token = tokens.get(key);
        if (!token) {
          token = await stack.token({ role, ...queryOptions.tokenOptions });
          tokens.set(key, token);
        }
      }
      const response = await fetch(stack.gateway.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(queryOptions.headers ?? {}),
        },
        body: JSON.stringify({ query, variables: queryOptions.variables, operationName: queryOptions.operationName }),
      });
      const text = await response.text();
      let body: GraphQLResponse<any>['body'];
      try {
        body = JSON.parse(text);
      } catch {
        throw new Error(`gateway answered ${response.status} with a non-JSON body`);
      }
      return { status: response.status, body };
    },
    async close() {
      await stack.close();
      await database.drop();
      rmSync(keysDir, { recursive: true, force: true });
    },
  };
}
