import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { readGatewayConfig } from '../../gateway/config';
import { startGateway, type RunningGateway } from '../../gateway/server';
import { runSubgraph, type StartedSubgraph } from '../../lib/subgraph/main';
import type { SubgraphName } from '../../lib/subgraph/registry-names';
import { loadSubgraphDefinition } from '../../subgraphs';
import type { GraphQLResponse, TestStack } from '../support/stack';

/** The featured person (leaves in 8 h, known to every partner). */
export const V_NUMBER = '2044001001';

/** One field or more from each partner, so that a missing partner shows at its own paths. */
export const PERSON = /* GraphQL */ `
  query Person($v: String!) {
    person(vNumber: $v) {
      vNumber
      name { family }
      detention { unit }
      transportOrders { id }
      reception { currentLocation { code } }
      characteristics { height { value } }
      healthNotice { fitToTravel }
    }
  }
`;

/** The same partners for a page of departures: errors must land at each list index. */
export const DEPARTURES = /* GraphQL */ `
  query Departures($from: DateTime!, $to: DateTime!) {
    departures(from: $from, to: $to, first: 3) {
      nodes { person { vNumber name { family } detention { unit } characteristics { height { value } } } }
    }
  }
`;

/** The subgraph handle of `name` in a running stack. */
export function subgraphOf(stack: TestStack, name: SubgraphName): StartedSubgraph {
  const found = stack.subgraphs.find((s) => s.name === name);
  if (!found) throw new Error(`no subgraph ${name} in the stack`);
  return found;
}

/**
 * Starts a stopped subgraph again on its old port, on the same store and world, and puts
 * the new handle in the stack's list (so that stack.close() closes it). The gateway is not
 * touched: it finds the partner at the same URL.
 */
export async function restartSubgraph(stack: TestStack, name: SubgraphName): Promise<StartedSubgraph> {
  const index = stack.subgraphs.findIndex((s) => s.name === name);
  const old = stack.subgraphs[index]!;
  const env = { ...stack.env, ACCESS_LOG_KEY: stack.accessLogKey, POLICY_WATCH: 'false' };
  const restarted = await runSubgraph(loadSubgraphDefinition(name), env, { signingSecret: stack.signingSecret, world: stack.world, port: old.port });
  stack.subgraphs[index] = restarted;
  return restarted;
}

/**
 * A second gateway beside a stack's own, over the same subgraphs and keys, with settings
 * (and subgraph URLs) overridden by `env`: how a test points one subgraph URL elsewhere.
 */
export async function startSideGateway(stack: TestStack, env: NodeJS.ProcessEnv): Promise<RunningGateway> {
  const gatewayEnv: NodeJS.ProcessEnv = {
    ...stack.env,
    GATEWAY_SIGNING_SECRET: stack.signingSecret,
    TOKEN_PUBLIC_KEY_FILE: stack.keys.publicKeyFile,
    PORT: '0',
    HOST: '127.0.0.1',
    POLICY_WATCH: 'false',
  };
  for (const subgraph of stack.subgraphs) gatewayEnv[`${subgraph.name.toUpperCase()}_URL`] = subgraph.url;
  return startGateway(readGatewayConfig({ ...gatewayEnv, ...env }));
}

/** POSTs an operation to a gateway URL with a token for `role` (default return-officer). */
export async function queryAt<T = any>(
  stack: TestStack,
  url: string,
  query: string,
  variables: Record<string, unknown>,
  role = 'return-officer',
): Promise<GraphQLResponse<T>> {
  const token = await stack.token({ role });
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as GraphQLResponse<T>['body'] };
}

/** A server on 127.0.0.1 that accepts connections and requests and never answers. */
export interface HungServer {
  url: string;
  /** Requests received so far. */
  requests: number;
  close(): Promise<void>;
}

/** Starts a HungServer; its URL ends in /graphql like a subgraph's. */
export async function startHungServer(): Promise<HungServer> {
  const sockets = new Set<Socket>();
  const state = { requests: 0 };
  const server: Server = createServer(() => {
    state.requests++; // and never respond
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    get requests() {
      return state.requests;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Errors of a response by code. */
export function errorsWithCode(response: GraphQLResponse<unknown>, code: string) {
  return (response.body.errors ?? []).filter((e) => e.extensions?.code === code);
}

/** The paths of errors, as strings, sorted ("person.characteristics"). */
export function pathsOf(errors: Array<{ path?: Array<string | number> }>): string[] {
  return errors.map((e) => (e.path ?? []).join('.')).sort();
}

/** Polls `probe` until it returns true or `timeoutMs` passes; returns the time taken in ms. */
export async function waitFor(probe: () => Promise<boolean>, timeoutMs: number, intervalMs = 100): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await probe()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
