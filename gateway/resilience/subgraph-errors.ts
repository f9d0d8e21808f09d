import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { Kind, parse, type DocumentNode, type GraphQLFormattedError, type SelectionSetNode } from 'graphql';

/** The partner could not be reached, answered 5xx or no JSON, or its breaker is open (lib/http/format-error.ts lets it through). */
export const SUBGRAPH_UNAVAILABLE = 'SUBGRAPH_UNAVAILABLE';
/** The partner did not answer within its timeout. */
export const SUBGRAPH_TIMEOUT = 'SUBGRAPH_TIMEOUT';
/** The codes a missing partner's fields carry. */
export type SubgraphFailureCode = typeof SUBGRAPH_UNAVAILABLE | typeof SUBGRAPH_TIMEOUT;

/** How the partners are named in error messages (the subgraph name is in `extensions.subgraph`). */
const PARTNER_NAMES: Record<string, string> = {
  dtv: 'DT&V',
  dji: 'DJI',
  dvo: 'DV&O',
  coa: 'COA',
  medical: 'the medical services',
  audit: 'the access log',
};

/** The partner behind a subgraph, for messages: "DT&V", "the medical services". */
export function partnerName(subgraph: string): string {
  return PARTNER_NAMES[subgraph] ?? subgraph;
}

/**
 * The client-facing message for a partner that did not answer: it names the partner and
 * says what happened, and nothing else (no URL, no network error, no stack).
 */
export function failureMessage(subgraph: string, code: SubgraphFailureCode, timeoutMs?: number): string {
  const partner = partnerName(subgraph);
  const what = code === SUBGRAPH_TIMEOUT ? `did not answer within ${timeoutMs} ms` : 'is unavailable';
  return `${partner} (subgraph ${subgraph}) ${what}; the data it holds is missing from this answer`;
}

type ResponsePath = Array<string | number>;

/** Response names selected directly in a selection set (aliases kept), per inline fragment type ('' for any type). */
function responseNames(selectionSet: SelectionSetNode, typeCondition = '', into = new Map<string, Set<string>>()): Map<string, Set<string>> {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const name = (selection.alias ?? selection.name).value;
      // __typename, and keys the gateway itself injects (__accessSubject), are not the caller's fields.
      if (name.startsWith('__')) continue;
      if (!into.has(typeCondition)) into.set(typeCondition, new Set());
      into.get(typeCondition)!.add(name);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      responseNames(selection.selectionSet, selection.typeCondition?.name.value ?? typeCondition, into);
    }
    // The query planner inlines fragments in subgraph fetches; named spreads do not occur.
  }
  return into;
}

/**
 * The paths, in the subgraph's own response, of every field one failed fetch would have
 * returned: `[field]` for each root field, `['_entities', i, field]` for each entity
 * representation `i` and each field selected on its type. @apollo/gateway maps these onto
 * the paths of the client's response (entity index to the entity's place in the answer).
 */
export function missingPaths(request: { query?: string; variables?: Record<string, unknown> }, document?: DocumentNode): ResponsePath[] {
  let doc = document;
  if (!doc) {
    if (!request.query) return [];
    try {
      doc = parse(request.query);
    } catch {
      return [];
    }
  }
  const operation = doc.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (!operation || operation.kind !== Kind.OPERATION_DEFINITION) return [];
  const paths: ResponsePath[] = [];
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD) continue;
    const name = (selection.alias ?? selection.name).value;
    if (selection.name.value !== '_entities') {
      if (!name.startsWith('__')) paths.push([name]);
      continue;
    }
    const byType = selection.selectionSet ? responseNames(selection.selectionSet) : new Map<string, Set<string>>();
    const representations = request.variables?.representations;
    if (!Array.isArray(representations)) continue;
    representations.forEach((representation, index) => {
      const typename = (representation as { __typename?: unknown } | null)?.__typename;
      const fields = new Set([...(byType.get('') ?? []), ...(typeof typename === 'string' ? (byType.get(typename) ?? []) : [])]);
      for (const field of fields) paths.push([name, index, field]);
    });
  }
  return paths;
}

/**
 * The response a failed fetch is answered with instead of an exception: no data, and one
 * error per missing field with the code and the subgraph in its extensions. @apollo/gateway
 * keeps what the other fetches returned, sets the missing fields to null, and moves each
 * error to the field's path in the client's response (adding `serviceName`). A thrown
 * error would reach the client without any path.
 */
export function failureResponse(
  subgraph: string,
  code: SubgraphFailureCode,
  options: Pick<GraphQLDataSourceProcessOptions, 'request'> & { document?: DocumentNode },
  timeoutMs?: number,
): GatewayGraphQLResponse {
  const message = failureMessage(subgraph, code, timeoutMs);
  const extensions = { code, subgraph };
  const paths = missingPaths(options.request as { query?: string; variables?: Record<string, unknown> }, options.document);
  const errors: GraphQLFormattedError[] = paths.length > 0 ? paths.map((path) => ({ message, path, extensions })) : [{ message, extensions }];
  return { errors };
}
