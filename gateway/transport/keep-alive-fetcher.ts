import type { RemoteGraphQLDataSource } from '@apollo/gateway';
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

type Fetcher = RemoteGraphQLDataSource['fetcher'];
type FetcherRequestInit = NonNullable<Parameters<Fetcher>[1]>;
type FetcherResponse = Awaited<ReturnType<Fetcher>>;
type FetcherHeaders = FetcherResponse['headers'];

/** How the gateway keeps connections to one subgraph. */
export interface KeepAliveOptions {
  /** Most sockets open to the subgraph at once; further requests queue (SUBGRAPH_MAX_SOCKETS). */
  maxSockets: number;
  /**
   * How long a socket may sit idle, in the pool or in a request, before it is closed. Kept
   * below the subgraphs' own keep-alive timeout (65 s) so that the gateway, not the
   * subgraph, closes idle connections and a request never lands on a socket being closed.
   */
  idleTimeoutMs: number;
}

export const DEFAULT_KEEP_ALIVE: KeepAliveOptions = { maxSockets: 64, idleTimeoutMs: 30_000 };

/** Response headers as the data source reads them (`get`), over Node's lower-cased header object. */
class ResponseHeaders implements FetcherHeaders {
  private readonly map = new Map<string, string>();
  constructor(raw: IncomingHttpHeaders) {
    for (const [name, value] of Object.entries(raw)) {
      if (value !== undefined) this.map.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
  }
  append(name: string, value: string): void {
    const key = name.toLowerCase();
    const current = this.map.get(key);
    this.map.set(key, current === undefined ? value : `${current}, ${value}`);
  }
  delete(name: string): void {
    this.map.delete(name.toLowerCase());
  }
  get(name: string): string | null {
    return this.map.get(name.toLowerCase()) ?? null;
  }
  has(name: string): boolean {
    return this.map.has(name.toLowerCase());
  }
  set(name: string, value: string): void {
    this.map.set(name.toLowerCase(), value);
  }
  entries(): IterableIterator<[string, string]> {
    return this.map.entries();
  }
  keys(): IterableIterator<string> {
    return this.map.keys();
  }
  values(): IterableIterator<string> {
    return this.map.values();
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.map.entries();
  }
}

/** A fully read response: what RemoteGraphQLDataSource uses of a fetch Response. */
class BufferedResponse implements FetcherResponse {
  bodyUsed = false;
  readonly redirected = false;
  readonly ok: boolean;
  readonly headers: ResponseHeaders;
  constructor(
    readonly url: string,
    readonly status: number,
    readonly statusText: string,
    headers: IncomingHttpHeaders | ResponseHeaders,
    private readonly body: Buffer,
  ) {
    this.ok = status >= 200 && status < 300;
    this.headers = headers instanceof ResponseHeaders ? headers : new ResponseHeaders(headers);
  }
  private take(): Buffer {
    if (this.bodyUsed) throw new TypeError('body used already');
    this.bodyUsed = true;
    return this.body;
  }
  async text(): Promise<string> {
    return this.take().toString('utf8');
  }
  async json(): Promise<any> {
    return JSON.parse(this.take().toString('utf8'));
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    const body = this.take();
    return body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer;
  }
  clone(): FetcherResponse {
    return new BufferedResponse(this.url, this.status, this.statusText, this.headers, this.body);
  }
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  // AbortSignal.timeout() aborts with a DOMException named TimeoutError: keep its name.
  if (reason instanceof Error || (typeof reason === 'object' && reason !== null && 'name' in reason)) return reason as Error;
  const error = new Error('the request was aborted');
  error.name = 'AbortError';
  return error;
}

/** A fetch for one subgraph: node:http(s) over a keep-alive agent, and that agent (for shutdown). */
export interface KeepAliveFetcher {
  fetcher: Fetcher;
  agent: HttpAgent;
  /** Closes the idle sockets; in-flight requests finish. */
  close(): void;
}

/**
 * A `fetch` for RemoteGraphQLDataSource that keeps connections to one subgraph alive and
 * reuses them: node:http with a keep-alive agent, a bounded pool (`maxSockets`, LIFO so
 * the warmest sockets are used and the rest time out), the whole body read into one buffer
 * and parsed once. Honours `init.signal` (the resilience deadline) by destroying the
 * request. No redirects, no cache, no retries: a subgraph answers or fails.
 */
export function createKeepAliveFetcher(options: KeepAliveOptions = DEFAULT_KEEP_ALIVE): KeepAliveFetcher {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets, maxFreeSockets: options.maxSockets, scheduling: 'lifo' as const, timeout: options.idleTimeoutMs };
  const httpAgent = new HttpAgent(agentOptions);
  let httpsAgent: HttpsAgent | undefined;

  const fetcher = (url: string, init: FetcherRequestInit = {}): Promise<FetcherResponse> =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const secure = target.protocol === 'https:';
      if (!secure && target.protocol !== 'http:') {
        reject(new TypeError(`unsupported protocol ${target.protocol}`));
        return;
      }
      const signal = init.signal as AbortSignal | undefined;
      if (signal?.aborted) {
        reject(abortError(signal));
        return;
      }
      const body = init.body === undefined ? undefined : typeof init.body === 'string' ? Buffer.from(init.body, 'utf8') : init.body;
      const headers: Record<string, string | number> = { ...(init.headers ?? {}) };
      if (body !== undefined) headers['content-length'] = body.length;
      const send = secure ? httpsRequest : httpRequest;
      const agent = secure ? (httpsAgent ??= new HttpsAgent(agentOptions)) : httpAgent;
      let settled = false;
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        reject(error);
      };
      const request = send(target, { method: init.method ?? 'GET', headers, agent }, (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.once('error', fail);
        response.once('aborted', () => fail(new Error('the subgraph closed the connection mid-response')));
        response.once('end', () => {
          if (settled) return;
          settled = true;
          signal?.removeEventListener('abort', onAbort);
          const buffer = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
          resolve(new BufferedResponse(url, response.statusCode ?? 0, response.statusMessage ?? '', response.headers, buffer));
        });
      });
      const onAbort = () => {
        const error = abortError(signal!);
        request.destroy(error);
        fail(error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      request.once('error', fail);
      // An active request that stays silent this long is given up (the socket is not reused).
      request.once('timeout', () => request.destroy(Object.assign(new Error('subgraph socket idle timeout'), { code: 'ETIMEDOUT' })));
      request.end(body);
    });

  return {
    fetcher: fetcher as Fetcher,
    agent: httpAgent,
    close() {
      httpAgent.destroy();
      httpsAgent?.destroy();
    },
  };
}
