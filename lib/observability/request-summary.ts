import type { BaseContext, GraphQLRequestContextWillSendResponse } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import { safeErrorCode, safeOperationName } from './labels';

/** The caller fields the gateway and the subgraphs keep in their request context (`identity`). */
export interface CallerSummary {
  subject?: string;
  organisation?: string;
  audience?: string | null;
  purpose?: string;
  traceId?: string;
}

/**
 * What happened in one GraphQL request, as metrics and the request log see it: names,
 * codes and counts only, never a value, a variable or a message (messages may repeat input).
 */
export interface RequestSummary {
  /** The resolved operation name, digits masked (labels.safeOperationName); `anonymous` when there is none. */
  operation: string;
  /** `query`, `mutation`, `subscription`, or undefined when no operation was resolved. */
  operationType?: string;
  /** The HTTP status of the response (200 unless an error set one). */
  status: number;
  /** Error codes of the response, with how often each occurred. */
  errorCodes: Record<string, number>;
  /** The policy class of each FORBIDDEN error (`unclassified` when it names none): the denied fields. */
  deniedClasses: string[];
}

/** The `identity` of a request context, when it has one. */
export function callerOf(context: BaseContext | undefined): CallerSummary | undefined {
  const identity = (context as { identity?: unknown } | undefined)?.identity;
  return identity !== null && typeof identity === 'object' ? (identity as CallerSummary) : undefined;
}

function errorsOf(requestContext: GraphQLRequestContextWillSendResponse<BaseContext>): readonly GraphQLFormattedError[] {
  const body = requestContext.response.body;
  if (body.kind === 'single') return body.singleResult.errors ?? [];
  return body.initialResult.errors ?? [];
}

/** Codes and denied classes of formatted errors (the errors as the client gets them). */
export function tallyErrors(errors: readonly Pick<GraphQLFormattedError, 'extensions'>[]): Pick<RequestSummary, 'errorCodes' | 'deniedClasses'> {
  const errorCodes: Record<string, number> = {};
  const deniedClasses: string[] = [];
  for (const error of errors) {
    const code = safeErrorCode(error.extensions?.code);
    errorCodes[code] = (errorCodes[code] ?? 0) + 1;
    if (code === 'FORBIDDEN') {
      const className = error.extensions?.class;
      deniedClasses.push(typeof className === 'string' && /^[a-z0-9][a-z0-9-]{0,63}$/.test(className) ? className : 'unclassified');
    }
  }
  return { errorCodes, deniedClasses };
}

/** The summary of a request Apollo is about to answer (plugin hook `willSendResponse`). */
export function summarizeResponse(requestContext: GraphQLRequestContextWillSendResponse<BaseContext>): RequestSummary {
  return {
    operation: safeOperationName(requestContext.operationName),
    operationType: requestContext.operation?.operation,
    status: requestContext.response.http.status ?? 200,
    ...tallyErrors(errorsOf(requestContext)),
  };
}

/**
 * The summary of a request refused before Apollo ran it: the context could not be created
 * (no valid token: 401; unknown purpose: 400) or the request was invalid (CSRF, no query).
 * The status is the one the error asks for, else what Apollo answers by default.
 */
export function summarizeRefusal(error: Error, defaultStatus: number): RequestSummary {
  const extensions = (error as { extensions?: Record<string, unknown> }).extensions;
  const status = (extensions?.http as { status?: unknown } | undefined)?.status;
  return {
    operation: safeOperationName(undefined),
    status: typeof status === 'number' ? status : defaultStatus,
    ...tallyErrors([{ extensions: { code: extensions?.code ?? 'INTERNAL_SERVER_ERROR' } }]),
  };
}
