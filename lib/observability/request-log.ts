import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { createHmac } from 'node:crypto';
import type { Logger } from '../log';
import { callerOf, summarizeRefusal, summarizeResponse, type CallerSummary, type RequestSummary } from './request-summary';

/** Options of useRequestLog. */
export interface RequestLogOptions {
  logger: Logger;
  /**
   * Secret the caller's `sub` is hashed with (HMAC-SHA256, 16 hex digits): the same user
   * gets the same value in the gateway's and the subgraphs' lines without being named.
   * Without it the subject is left out.
   */
  subjectKey?: () => string;
  /** Extra fields for a request's line from its context (the gateway adds per-subgraph fetch times). */
  fields?: (context: BaseContext) => Record<string, unknown> | undefined;
}

/** Codes of degraded answers that the operator should see: logged at `warn`. */
const DEGRADED = new Set(['SUBGRAPH_UNAVAILABLE', 'SUBGRAPH_TIMEOUT', 'ACCESS_LOG_UNAVAILABLE']);

const derivedKeys = new Map<string, Buffer>();

/** HMAC-SHA256 of a subject under a key derived from `secret` (never the secret itself), shortened. */
export function hashSubject(secret: string, subject: string): string {
  let key = derivedKeys.get(secret);
  if (!key) {
    key = createHmac('sha256', secret).update('chain-gateway request-log subject v1').digest();
    if (derivedKeys.size > 8) derivedKeys.clear();
    derivedKeys.set(secret, key);
  }
  return createHmac('sha256', key).update(subject).digest('hex').slice(0, 16);
}

function levelOf(summary: RequestSummary): 'info' | 'warn' | 'error' {
  if (summary.status >= 500 || summary.errorCodes.INTERNAL_SERVER_ERROR) return 'error';
  return Object.keys(summary.errorCodes).some((code) => DEGRADED.has(code)) ? 'warn' : 'info';
}

/**
 * One structured line per GraphQL request, as a plugin (gateway and subgraphs alike):
 * `traceId`, `operation` (digit-masked name or `anonymous`), `operationType`, `audience`,
 * `purpose`, `organisation`, `subject` (a keyed hash, see `subjectKey`), `durationMs`,
 * `status`, `errors` (count per `extensions.code`) and `denied` (fields withheld by the
 * policy), plus the `fields` hook's. Requests refused before Apollo ran them (no valid
 * token, unknown purpose, CSRF) get a `request refused` line with status and code.
 *
 * No personal data by construction: no query text (literals may be V-numbers), no
 * variables, no field values, no error messages (they may repeat input), no token, no
 * subject in clear.
 */
export function useRequestLog(options: RequestLogOptions): ApolloServerPlugin<BaseContext> {
  const { logger } = options;

  function callerFields(caller: CallerSummary | undefined): Record<string, unknown> {
    if (!caller) return {};
    const key = options.subjectKey?.();
    return {
      traceId: caller.traceId,
      audience: caller.audience ?? null,
      purpose: caller.purpose ?? null,
      organisation: caller.organisation,
      subject: key && typeof caller.subject === 'string' ? hashSubject(key, caller.subject) : undefined,
    };
  }

  function write(message: string, summary: RequestSummary, extra: Record<string, unknown>): void {
    const line = {
      ...extra,
      operation: summary.operation,
      operationType: summary.operationType,
      status: summary.status,
      errors: Object.keys(summary.errorCodes).length > 0 ? summary.errorCodes : undefined,
      denied: summary.deniedClasses.length,
    };
    logger[levelOf(summary)](line, message);
  }

  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse(requestContext) {
          const context = requestContext.contextValue;
          let extra: Record<string, unknown> | undefined;
          try {
            extra = options.fields?.(context);
          } catch {
            extra = undefined;
          }
          write('request', summarizeResponse(requestContext), {
            ...callerFields(callerOf(context)),
            durationMs: Math.round((performance.now() - started) * 10) / 10,
            ...extra,
          });
        },
      };
    },
    async contextCreationDidFail({ error }) {
      write('request refused', summarizeRefusal(error, 500), {});
    },
    async invalidRequestWasReceived({ error }) {
      write('request refused', summarizeRefusal(error, 400), {});
    },
  };
}
