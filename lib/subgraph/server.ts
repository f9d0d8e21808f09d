import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { GraphQLError, print } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Store } from '../db/store';
import { closeHttpServer } from '../http/close';
import { BodyTooLarge, createGraphQLHandler, readBody, sendJson } from '../http/graphql-handler';
import { NonceCache, SignatureError, verifyRequest } from '../identity/signing';
import type { CompiledPolicy } from '../policy/compiled';
import { guardReferenceResolvers, shieldFromPolicy, type ConsentLookup, type ShieldContext } from '../policy/shield';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { createSubgraphContext } from './context';
import { DateTimeScalar } from './kit';
import type { SignedPostRoute, SubgraphContext, SubgraphDefinition } from './types';
import { safeFormatError } from '../http/format-error';
import { useSubgraphReadiness } from './readiness';
import { observeService } from '../observability/service';

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
  /** How long close() lets requests in flight finish before cutting connections (SHUTDOWN_GRACE_MS, default 10 s). */
  shutdownGraceMs?: number;
  development?: boolean;
  /** Environment handed to resolvers (ctx.env) and to the definition's routes; default process.env. */
  env?: NodeJS.ProcessEnv;
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
 * Serves one of a definition's POST routes: the body is read (bounded), the gateway's
 * signature verified over it (401 otherwise, reason not disclosed), JSON parsed (415/400),
 * and the route's reply sent. A route that throws gets a generic 500.
 */
async function servePostRoute(
  route: SignedPostRoute,
  req: IncomingMessage,
  res: ServerResponse,
  verify: (headers: IncomingMessage['headers'], body: Buffer) => ReturnType<typeof verifyRequest>,
  maxBodyBytes: number,
): Promise<void> {
  const refuse = (status: number, code: string, message: string) => sendJson(res, status, { error: { code, message } });
  try {
    let raw: Buffer;
    try {
      raw = await readBody(req, maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLarge) refuse(413, 'PAYLOAD_TOO_LARGE', `request body larger than ${maxBodyBytes} bytes`);
      else refuse(400, 'BAD_REQUEST', 'could not read the request body');
      return;
    }
    let identity;
    try {
      identity = verify(req.headers, raw);
    } catch {
      refuse(401, 'UNAUTHENTICATED', 'request not signed by the gateway');
      return;
    }
    if (!(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
      refuse(415, 'UNSUPPORTED_MEDIA_TYPE', 'POST requests must have content-type application/json');
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      refuse(400, 'BAD_REQUEST', 'the request body is not valid JSON');
      return;
    }
    const reply = await route({ identity, body });
    sendJson(res, reply.status, reply.body);
  } catch {
    if (!res.headersSent) refuse(500, 'INTERNAL_SERVER_ERROR', 'internal error');
    else res.end();
  }
}

/**
 * Serves one partner subgraph over HTTP: the definition's schema with the policy's
 * graphql-shield rules, reachable only with a gateway signature (401 otherwise). Returns
 * once listening.
 */
/** Answers carry personal data: no cache on the way may keep them. */
function noStore(): ApolloServerPlugin<SubgraphContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          response.http.headers.set('cache-control', 'no-store');
        },
      };
    },
  };
}

export async function startSubgraphServer(options: SubgraphServerOptions): Promise<RunningSubgraph> {
  const { definition, store, policy } = options;
  const plain = buildSubgraphSchema([{ typeDefs: definition.typeDefs, resolvers: { DateTime: DateTimeScalar } as never }]);
  const resolvers = guardReferenceResolvers(definition.resolvers, plain, policy);
  const schema = buildSubgraphSchema([{ typeDefs: definition.typeDefs, resolvers: { ...resolvers, DateTime: DateTimeScalar } as never }]);
  const shielded = applyMiddleware(schema, shieldFromPolicy(schema, policy, consentLookupOf(definition, store)));
  const development = options.development ?? false;
  const env = options.env ?? process.env;
  // Metrics at GET /metrics and one log line per request (lib/observability).
  const observability = observeService({ service: `subgraph-${definition.name}`, subjectKey: () => options.signingSecret });

  const server = new ApolloServer<SubgraphContext>({
    schema: shielded,
    introspection: development,
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    // SIGTERM/SIGINT are handled by the start scripts (lib/http/graceful-shutdown.ts), which drain HTTP first.
    stopOnTerminationSignals: false,
    // Inline traces (ftv1) would send resolver timings to the gateway on every request.
    // The subgraphs set no cache hints; the default cache-control plugin would still run a hook
    // per resolved field (measurable in bench/profile.ts) only to answer `no-store`.
    plugins: [ApolloServerPluginInlineTraceDisabled(), ApolloServerPluginCacheControlDisabled(), noStore(), ...observability.plugins],
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
      '/ready': useSubgraphReadiness({ subgraph: definition.name, store, policy }).route,
      '/metrics': observability.metricsRoute,
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
      return createSubgraphContext(definition, store, identity, options.stalenessWindowDays, env);
    },
  });

  // POST routes besides /graphql (definition.httpRoutes), signed like GraphQL requests and
  // sharing the nonce cache, so that a signed request is accepted once on either path.
  const postRoutes = definition.httpRoutes?.(store, { env }) ?? {};
  const verifyPost = (headers: IncomingMessage['headers'], body: Buffer) =>
    verifyRequest(options.signingSecret, headers, body, { maxSkewMs: options.maxSkewMs ?? 30_000, nonces });
  const http: Server = createServer((req, res) => {
    const route = req.method === 'POST' ? postRoutes[new URL(req.url ?? '/', 'http://localhost').pathname] : undefined;
    void (route ? servePostRoute(route, req, res, verifyPost, options.maxBodyBytes ?? 1_000_000) : handler(req, res));
  });
  observability.watchConnections(http);
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
      await closeHttpServer(http, options.shutdownGraceMs);
      await server.stop();
    },
  };
}

/** The SDL of a definition, printed (for composition checks and diagnostics). */
export function printDefinitionSdl(definition: SubgraphDefinition<any>): string {
  return print(definition.typeDefs);
}
