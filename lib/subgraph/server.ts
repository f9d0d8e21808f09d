import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { GraphQLError, print } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Store } from '../db/store';
import { closeHttpServer } from '../http/close';
import { createGraphQLHandler, sendJson } from '../http/graphql-handler';
import { NonceCache, SignatureError, verifyRequest } from '../identity/signing';
import type { CompiledPolicy } from '../policy/compiled';
import { guardReferenceResolvers, shieldFromPolicy, type ConsentLookup, type ShieldContext } from '../policy/shield';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { createSubgraphContext } from './context';
import { DateTimeScalar } from './kit';
import type { SubgraphContext, SubgraphDefinition } from './types';
import { safeFormatError } from '../http/format-error';

export interface SubgraphServerOptions {
  definition: SubgraphDefinition<any>;
  store: Store;
  /** The policy in force, read on every request (hot reload swaps what it returns). */
  policy: () => CompiledPolicy;
  /** Shared secret the gateway signs requests with. */
  signingSecret: string;
  host?: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** How far a signature's timestamp may be from now (default 30 s). */
  maxSkewMs?: number;
  stalenessWindowDays: number;
  maxBodyBytes?: number;
  development?: boolean;
}

export interface RunningSubgraph {
  name: string;
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The consent lookup, for subgraphs whose loaders carry `escortConsent` (the medical one). */
function consentLookupOf(definition: SubgraphDefinition<any>, store: Store): ConsentLookup | undefined {
  const probe = definition.createLoaders(store) as Record<string, unknown>;
  if (!probe || typeof probe !== 'object' || !('escortConsent' in probe)) return undefined;
  return async (vNumber: string, context: ShieldContext) => {
    const loaders = context.loaders as { escortConsent: { load(v: string): Promise<{ status: string } | null> } };
    const row = await loaders.escortConsent.load(vNumber);
    return row?.status === 'GIVEN';
  };
}

/**
 * Serves one partner subgraph over HTTP: the definition's schema with the policy's
 * graphql-shield rules, reachable only with a gateway signature (401 otherwise). Returns
 * once listening.
 */
export async function startSubgraphServer(options: SubgraphServerOptions): Promise<RunningSubgraph> {
  const { definition, store, policy } = options;
  const plain = buildSubgraphSchema([{ typeDefs: definition.typeDefs, resolvers: { DateTime: DateTimeScalar } as never }]);
  const resolvers = guardReferenceResolvers(definition.resolvers, plain, policy);
  const schema = buildSubgraphSchema([{ typeDefs: definition.typeDefs, resolvers: { ...resolvers, DateTime: DateTimeScalar } as never }]);
  const shielded = applyMiddleware(schema, shieldFromPolicy(schema, policy, consentLookupOf(definition, store)));
  const development = options.development ?? false;

  const server = new ApolloServer<SubgraphContext>({
    schema: shielded,
    introspection: development,
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    // Inline traces (ftv1) would send resolver timings to the gateway on every request.
    plugins: [ApolloServerPluginInlineTraceDisabled()],
    formatError: (formatted, error) => safeFormatError(formatted, error, development),
  });
  await server.start();

  const nonces = new NonceCache(options.maxSkewMs ?? 30_000);
  const handler = createGraphQLHandler<SubgraphContext>({
    server,
    path: '/graphql',
    maxBodyBytes: options.maxBodyBytes ?? 1_000_000,
    routes: {
      '/health': (_req, res) => sendJson(res, 200, { status: 'ok', subgraph: definition.name, policy: policy().hash }),
    },
    async context(request) {
      let signed;
      try {
        signed = verifyRequest(options.signingSecret, request.headers, request.rawBody, {
          maxSkewMs: options.maxSkewMs ?? 30_000,
          nonces,
        });
      } catch (error) {
        // The reason (missing, stale, forged, replayed) stays out of the response: it would
        // tell a prober which part of a forgery to fix.
        void (error instanceof SignatureError ? error.reason : 'invalid');
        throw new GraphQLError('request not signed by the gateway', {
          extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
        });
      }
      const current = policy();
      const identity = { ...signed, audience: current.audienceFor(signed.roles, signed.bigRegistration) };
      return createSubgraphContext(definition, store, identity, options.stalenessWindowDays);
    },
  });

  const http: Server = createServer((req, res) => void handler(req, res));
  http.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';
  return {
    name: definition.name,
    url: `http://${host}:${port}/graphql`,
    port,
    async close() {
      await closeHttpServer(http);
      await server.stop();
    },
  };
}

/** The SDL of a definition, printed (for composition checks and diagnostics). */
export function printDefinitionSdl(definition: SubgraphDefinition<any>): string {
  return print(definition.typeDefs);
}
