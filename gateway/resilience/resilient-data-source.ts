import type { GraphQLDataSource, GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { GraphQLError } from 'graphql';
import { AsyncLocalStorage } from 'node:async_hooks';
import { CircuitBreaker } from './circuit-breaker';
import { failureResponse, SUBGRAPH_TIMEOUT, SUBGRAPH_UNAVAILABLE, type SubgraphFailureCode } from './subgraph-errors';

type Fetcher = RemoteGraphQLDataSource['fetcher'];

/** What one subgraph's resilient data source needs. */
export interface ResilientDataSourceOptions {
  /** The subgraph name (`dtv`, …), reported in `extensions.subgraph`. */
  subgraph: string;
  /** The data source that actually talks to the subgraph (signing, error mapping). */
  inner: RemoteGraphQLDataSource<any>;
  /** Longest time one subgraph request may take, body included, in ms. */
  timeoutMs: number;
  /** The subgraph's circuit breaker. */
  breaker: CircuitBreaker;
  /** Told about every failure (logging, metrics); never shown to clients. */
  onFailure?: (event: { subgraph: string; code: SubgraphFailureCode; reason: string }) => void;
}

/** The failure reason reported while the breaker refuses requests. */
export const CIRCUIT_OPEN = 'circuit open';

/** Marks the deadline passing, as distinct from any other failure. */
class DeadlineExceeded extends Error {}

/**
 * Whether a failed subgraph request means the partner could not answer (true), or is a
 * real answer refusing the request (false: a 4xx such as BAD_USER_INPUT or an invalid
 * signature), which is passed on unchanged and does not count against the breaker.
 */
function partnerFailed(error: unknown): boolean {
  if (!(error instanceof GraphQLError)) return true; // connection refused or reset, no JSON, aborted
  const status = (error.extensions?.response as { status?: unknown } | undefined)?.status;
  if (typeof status === 'number') return status >= 500;
  return typeof error.extensions?.code !== 'string';
}

/** A passed-on error without the response details @apollo/gateway attaches (they hold the subgraph's URL). */
function withoutResponseDetails(error: unknown): unknown {
  if (!(error instanceof GraphQLError) || error.extensions?.response === undefined) return error;
  const { response: _response, ...extensions } = error.extensions;
  return new GraphQLError(error.message, { extensions });
}

/**
 * Wraps one subgraph's data source with a deadline and a circuit breaker, and turns a
 * partner that cannot answer into a partial result instead of an exception.
 *
 * - Every request gets an AbortSignal (through the data source's fetcher) that fires
 *   after `timeoutMs`; the request is answered at the deadline even if the socket lingers.
 * - The breaker is asked first: while it is open the subgraph is not contacted at all.
 * - A refused connection, a 5xx, a body that is not JSON, a timeout or an open breaker is
 *   answered with a response holding only errors, one per field the fetch would have
 *   returned, each with `extensions.code` SUBGRAPH_UNAVAILABLE or SUBGRAPH_TIMEOUT and
 *   `extensions.subgraph`. @apollo/gateway then keeps the other partners' data, leaves
 *   these fields null and puts each error at its field's path in the client's response.
 */
export class ResilientDataSource implements GraphQLDataSource<Record<string, any>> {
  private readonly signals = new AsyncLocalStorage<AbortSignal>();

  constructor(private readonly options: ResilientDataSourceOptions) {
    const { inner } = options;
    const send: Fetcher = inner.fetcher;
    const signals = this.signals;
    inner.fetcher = ((input: Parameters<Fetcher>[0], init?: Parameters<Fetcher>[1]) => {
      const signal = signals.getStore();
      return send(input, signal ? ({ ...(init ?? {}), signal } as Parameters<Fetcher>[1]) : init);
    }) as Fetcher;
  }

  /** The data source underneath (the signing one). */
  get inner(): RemoteGraphQLDataSource<any> {
    return this.options.inner;
  }

  async process(options: GraphQLDataSourceProcessOptions<Record<string, any>>): Promise<GatewayGraphQLResponse> {
    const { subgraph, breaker, timeoutMs } = this.options;
    const document = 'document' in options ? options.document : undefined;
    if (!breaker.tryAcquire()) {
      this.options.onFailure?.({ subgraph, code: SUBGRAPH_UNAVAILABLE, reason: CIRCUIT_OPEN });
      return failureResponse(subgraph, SUBGRAPH_UNAVAILABLE, { request: options.request, document });
    }
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        reject(new DeadlineExceeded());
        controller.abort(new DeadlineExceeded('subgraph request timed out'));
      }, timeoutMs);
    });
    const attempt = this.signals.run(controller.signal, () => this.options.inner.process(options));
    attempt.catch(() => undefined); // settles after the deadline when aborted
    try {
      const response = await Promise.race([attempt, deadline]);
      breaker.onSuccess();
      return response;
    } catch (error) {
      const timedOut = error instanceof DeadlineExceeded || controller.signal.aborted;
      if (!timedOut && !partnerFailed(error)) {
        breaker.onSuccess();
        throw withoutResponseDetails(error);
      }
      breaker.onFailure();
      const code: SubgraphFailureCode = timedOut ? SUBGRAPH_TIMEOUT : SUBGRAPH_UNAVAILABLE;
      this.options.onFailure?.({ subgraph, code, reason: timedOut ? `no answer within ${timeoutMs} ms` : reasonOf(error) });
      return failureResponse(subgraph, code, { request: options.request, document }, timedOut ? timeoutMs : undefined);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** A short reason for the log: the error's code or class, never a body or URL. */
function reasonOf(error: unknown): string {
  if (error instanceof GraphQLError) {
    const status = (error.extensions?.response as { status?: unknown } | undefined)?.status;
    return typeof status === 'number' ? `HTTP ${status}` : 'invalid response';
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.name : 'unknown error';
}
