import { ApolloServer, HeaderMap, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { forbiddenError } from '../../lib/policy/errors';

/** The caller a test request runs as; `null` makes context creation fail with 401. */
export interface TestCaller {
  identity: { subject: string; organisation: string; audience: string | null; purpose?: string; traceId?: string; bigRegistration?: string };
}

const typeDefs = /* GraphQL */ `
  type Query {
    hello(vNumber: String): String
    dossier: String
    notice: String
    broken: String
    slow: String
  }
`;

const resolvers = {
  Query: {
    hello: () => 'hello',
    dossier: () => {
      throw forbiddenError('Query.dossier', 'never-dossier-outside-care', 'medical-dossier');
    },
    notice: () => {
      throw new GraphQLError('partner down', { extensions: { code: 'SUBGRAPH_UNAVAILABLE' } });
    },
    broken: () => {
      throw new Error('boom');
    },
    slow: () => new Promise((resolve) => setTimeout(() => resolve('late'), 20)),
  },
};

/** A small Apollo Server with the given plugins, and a function that sends it one HTTP-shaped request. */
export async function testServer(plugins: ApolloServerPlugin<BaseContext>[]) {
  const server = new ApolloServer<BaseContext>({ typeDefs, resolvers, plugins, csrfPrevention: true, includeStacktraceInErrorResponses: false });
  await server.start();
  async function send(
    body: { query: string; variables?: Record<string, unknown>; operationName?: string },
    caller: TestCaller | null,
    options: { method?: 'GET' | 'POST'; headers?: Record<string, string> } = {},
  ) {
    const headers = new HeaderMap([['content-type', 'application/json'], ...Object.entries(options.headers ?? {})]);
    const response = await server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: options.method ?? 'POST', headers, search: '', body },
      context: async () => {
        if (!caller) {
          throw new GraphQLError('a valid bearer token is required', { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
        }
        return caller;
      },
    });
    return { status: response.status ?? 200, body: response.body.kind === 'complete' ? JSON.parse(response.body.string) : undefined };
  }
  return { server, send };
}

export const CHAIN_OFFICER: TestCaller = {
  identity: { subject: 'dev-transport-officer', organisation: 'dvo', audience: 'chain-officer', purpose: 'transport', traceId: 'ab'.repeat(16), bigRegistration: '19012345601' },
};
