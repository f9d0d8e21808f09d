// A privacy product must not phone home: @apollo/gateway reports telemetry and probes cloud
// metadata addresses unless this is set before it is loaded.
process.env.APOLLO_TELEMETRY_DISABLED = '1';

import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeHttpServer } from '../lib/http/close';
import { createGraphQLHandler, sendJson } from '../lib/http/graphql-handler';
import { safeFormatError } from '../lib/http/format-error';
import { useInputGuards } from './plugins/useInputGuards';
import type { Identity } from '../lib/identity/identity';
import { bearerToken, createTokenVerifier, UnauthenticatedError } from '../lib/identity/tokens';
import { traceIdFrom } from '../lib/identity/trace';
import type { CompiledPolicy } from '../lib/policy/compiled';
import { createPolicyHolder, type PolicyHolder } from '../lib/policy/holder';
import { loadPolicyForSupergraph } from '../lib/policy/source';
import { createLogger } from '../lib/log';
import { SUBGRAPH_NAMES, type SubgraphName } from '../lib/subgraph/registry-names';
import { AccessLogger } from './access-log/access-logger';
import { AuthorizingGateway, type AuthorizationContext } from './authorization/authorizing-gateway';
import type { GatewayConfig } from './config';
import { SigningDataSource } from './signing-data-source';
import { createSubgraphTransport, readTransportConfig } from './transport';
import { observeGateway } from './observability';
import { useGatewayReadiness } from './resilience/readiness';
import { useSubgraphResilience } from './resilience/subgraph-resilience';

export interface GatewayContext extends AuthorizationContext {
  identity: Identity;
}

export interface RunningGateway {
  url: string;
  port: number;
  policy(): CompiledPolicy;
  /** Re-reads the policy file now (the file is also watched when POLICY_WATCH is on). */
  reloadPolicy: PolicyHolder['reload'];
  close(): Promise<void>;
}

function unauthenticated(): GraphQLError {
  return new GraphQLError('a valid bearer token is required', {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: new Map([['www-authenticate', 'Bearer']]) } },
  });
}

/**
 * Starts the gateway: the checked-in supergraph served by @apollo/gateway inside
 * @apollo/server, callers authenticated by bearer token, every operation authorized
 * against the policy before planning, and every subgraph request signed.
 */
export async function startGateway(config: GatewayConfig): Promise<RunningGateway> {
  const supergraphSdl = readFileSync(config.supergraphFile, 'utf8');
  const log = createLogger('gateway');
  // Metrics at GET /metrics and one log line per request (gateway/observability).
  const observability = observeGateway({ logger: log, signingSecret: () => config.signingSecret });
  const policies = createPolicyHolder({
    load: () => loadPolicyForSupergraph(config.policyFile, supergraphSdl),
    watch: config.watchPolicy ? { file: config.policyFile } : undefined,
    onReload: (next, previous) => log.info({ policy: next.hash, previous: previous.hash }, 'policy reloaded'),
    onRejected: (error) => log.error({ err: error.message }, 'changed policy refused; the previous policy stays in force'),
  });
  const currentPolicy = policies.current;
  log.info({ policy: currentPolicy().hash, version: currentPolicy().version }, 'policy loaded');
  const verify = await createTokenVerifier(config.token);

  const resilience = useSubgraphResilience(config.resilience, log);
  // Keep-alive connection pools per subgraph (gateway/transport); query plans cached by size.
  const transportConfig = config.transport ?? readTransportConfig({});
  const transport = createSubgraphTransport(transportConfig);
  const gateway = new ApolloGateway({
    supergraphSdl,
    experimental_approximateQueryPlanStoreMiB: transportConfig.queryPlanCacheMiB,
    // @apollo/gateway answers the `Apollo-Query-Plan-Experimental` header with the query
    // plan whenever NODE_ENV is not `production`; the plan is exposed in development only.
    __exposeQueryPlanExperimental: config.development,
    // Each subgraph: its timeout and circuit breaker; a partner that cannot answer leaves its fields null with SUBGRAPH_UNAVAILABLE/SUBGRAPH_TIMEOUT.
    buildService: ({ name }) => observability.instrument(name, resilience.wrap(name, new SigningDataSource(config.subgraphUrls[name as SubgraphName], () => config.signingSecret, transport.fetcherFor(name)))),
  });
  const unknown = Object.keys(config.subgraphUrls).filter((n) => !SUBGRAPH_NAMES.includes(n as SubgraphName));
  if (unknown.length > 0) throw new Error(`unknown subgraphs configured: ${unknown.join(', ')}`);

  // NODE_ENV=benchmark only (gateway/benchmark-mode.ts): `npm run bench` measures the gateway without authorization and access log.
  if (config.benchmarkUnsafeNoAuthorization) log.warn('BENCHMARK MODE: authorization rewrite and access log are OFF; never run this for callers');
  // Limits, trusted documents, operation and variable checks (gateway/plugins/useInputGuards.ts).
  const inputGuards = useInputGuards(config);
  const server = new ApolloServer<GatewayContext>({
    gateway: config.benchmarkUnsafeNoAuthorization ? gateway : new AuthorizingGateway(
      gateway,
      currentPolicy,
      config.onDeniedOverride,
      new AccessLogger({ url: config.accessLog.url, timeoutMs: config.accessLog.timeoutMs, signingSecret: () => config.signingSecret, fetch: transport.fetcherFor('access-log') }, log, observability.accessLog),
    ),
    introspection: config.development,
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    // SIGTERM/SIGINT are handled by the start scripts (lib/http/graceful-shutdown.ts), which drain HTTP first.
    stopOnTerminationSignals: false,
    formatError: (formatted, error) => safeFormatError(formatted, error, config.development),
    parseOptions: inputGuards.parseOptions,
    validationRules: inputGuards.validationRules,
    plugins: [...inputGuards.plugins, ...observability.plugins],
  });
  await server.start();

  const handler = createGraphQLHandler<GatewayContext>({
    server,
    path: '/graphql',
    maxBodyBytes: config.maxBodyBytes,
    routes: {
      '/metrics': observability.metricsRoute,
      '/ready': useGatewayReadiness({ subgraphUrls: config.subgraphUrls, timeoutMs: config.resilience.readinessTimeoutMs, policy: currentPolicy, breakers: resilience.breakers }).route,
      '/health': (_req, res) => {
        const policy = currentPolicy();
        sendJson(res, 200, { status: 'ok', policy: { version: policy.version, hash: policy.hash } });
      },
    },
    async context(request) {
      const token = bearerToken(request.headers.authorization);
      if (!token) throw unauthenticated();
      let claims;
      try {
        claims = await verify(token);
      } catch (error) {
        if (error instanceof UnauthenticatedError) throw unauthenticated();
        throw error;
      }
      const stated = request.headers[config.purposeHeader];
      const purpose = (Array.isArray(stated) ? stated[0] : stated)?.trim() || claims.purpose;
      const current = currentPolicy();
      if (purpose !== undefined && !current.knowsPurpose(purpose)) {
        throw new GraphQLError('unknown purpose: state one of the purposes in the policy', {
          extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
        });
      }
      return {
        identity: {
          ...claims,
          purpose,
          audience: current.audienceFor(claims.roles, claims.bigRegistration),
          traceId: traceIdFrom(request.headers.traceparent),
        },
      };
    },
  });

  const http: Server = createServer((req, res) => void handler(req, res));
  observability.watchConnections(http);
  http.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.port, config.host, () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}/graphql`,
    port,
    policy: currentPolicy,
    reloadPolicy: policies.reload,
    async close() {
      policies.close();
      await closeHttpServer(http, config.resilience.shutdownGraceMs);
      await server.stop();
      transport.close();
    },
  };
}
