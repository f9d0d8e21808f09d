import { ApolloServer, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { Kind, parse, type DocumentNode, type OperationDefinitionNode, type ParseOptions, type ValidationRule } from 'graphql';
import { safeFormatError } from '../../lib/http/format-error';
import { apiSchema } from '../authorization/support';

/**
 * A bare Apollo Server over the gateway's API schema (no subgraphs: every field resolves to
 * null), with the gateway's error formatting, for testing one plugin at a time.
 */

export const schema = apiSchema();

export interface Answer {
  status: number;
  errors?: Array<{ message: string; extensions?: Record<string, unknown>; locations?: unknown }>;
  data?: unknown;
}

export interface PluginHarness {
  run(query: string | undefined, options?: { variables?: Record<string, unknown>; operationName?: string; extensions?: Record<string, unknown> }): Promise<Answer>;
  stop(): Promise<void>;
}

/** Starts a server with `plugins` (and `parseOptions`, `validationRules`); `run` executes one request through the whole request pipeline. */
export async function harness(plugins: ApolloServerPlugin<BaseContext>[], parseOptions?: ParseOptions, validationRules?: ValidationRule[]): Promise<PluginHarness> {
  const server = new ApolloServer({
    schema,
    plugins,
    parseOptions,
    validationRules,
    formatError: (formatted, error) => safeFormatError(formatted, error, false),
    includeStacktraceInErrorResponses: false,
  });
  await server.start();
  return {
    async run(query, options = {}) {
      const response = await server.executeOperation({ query, ...options });
      if (response.body.kind !== 'single') throw new Error('expected a single result');
      const { errors, data } = response.body.singleResult;
      return { status: response.http.status ?? 200, errors: errors as Answer['errors'], data };
    },
    stop: () => server.stop(),
  };
}

/** The only operation of a document, parsed. */
export function operationOf(text: string): { document: DocumentNode; operation: OperationDefinitionNode } {
  const document = parse(text);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (!operation) throw new Error('no operation');
  return { document, operation };
}

/** Asserts a refusal: HTTP 400, exactly one error with `code`, no stack, no echo of `notEchoed`. */
export function expectRefused(answer: Answer, code: string, notEchoed: string[] = []): void {
  expect(answer.status).toBe(400);
  expect(answer.errors).toHaveLength(1);
  expect(answer.errors![0]!.extensions?.code).toBe(code);
  const text = JSON.stringify(answer);
  expect(text).not.toMatch(/stacktrace|exception|\.ts:\d+|at \w+ \(/);
  for (const value of notEchoed) expect(text).not.toContain(value);
}

/** Asserts that no error of the limits (or any refusal) came back. */
export function expectAccepted(answer: Answer): void {
  expect(answer.errors).toBeUndefined();
  expect(answer.status).toBe(200);
}

/**
 * `{ person(vNumber: "…") { transportOrders { person { … } } } }` nested to exactly `depth`
 * levels (Person and TransportOrder lead to each other), ending in a leaf.
 */
export function nestedPersonQuery(depth: number): string {
  if (depth < 2) throw new Error('depth >= 2');
  const chain = Array.from({ length: depth - 2 }, (_, i) => (i % 2 === 0 ? 'transportOrders' : 'person'));
  let inner = chain.length % 2 === 1 ? 'id' : 'vNumber';
  for (const field of chain.reverse()) inner = `${field} { ${inner} }`;
  return `{ person(vNumber: "2044001001") { ${inner} } }`;
}
