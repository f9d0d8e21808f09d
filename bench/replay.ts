import { createHash } from 'node:crypto';
import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ACCESS_RECORDS_PATH } from '../lib/access-log/wire';

/**
 * Replay servers for the gateway-capacity scenarios of `npm run bench` (`replay-on`,
 * `replay-off`): one HTTP server per subgraph, all in one process of their own, which
 *
 *  - in `record` mode forward every `POST /graphql` to the real subgraph (a small proxy)
 *    and keep its answer, keyed by a hash of the request body, and
 *  - in `replay` mode answer each request from what was recorded with as little work as
 *    possible: the body is hashed as it arrives and the answer is one preallocated Buffer
 *    (and its header object) written back on a keep-alive connection. The gateway's
 *    signature headers are not verified. A body that was not recorded gets 502 and is
 *    counted (the benchmark fails on any).
 *
 * `POST /access-records` (the gateway's access log) is answered 201 in both modes without
 * storing anything: a replay scenario measures the gateway's work, not durability.
 */

/** One recorded answer: status 200, its content type, the body as one preallocated Buffer. */
interface Recorded {
  body: Buffer;
  headers: Record<string, string>;
}

/**
 * The key of a subgraph request: SHA-256 of the exact body bytes the gateway sent (the
 * GraphQL request JSON: query, variables, operation name). The gateway serialises the same
 * fetch for the same variables to the same bytes; the signature, nonce, timestamp and
 * trace id travel in headers, which are not part of the key.
 */
export function replayKey(body: Buffer | string): string {
  return createHash('sha256').update(body).digest('base64');
}

export type ReplayMode = 'record' | 'replay';

/** Counters of one subgraph's replay server. */
export interface SubgraphReplayStats {
  /** Distinct request bodies recorded. */
  recorded: number;
  /** Requests forwarded to the real subgraph while recording. */
  forwarded: number;
  /** Recorded bodies whose real subgraph answered differently the next time (the first answer is kept). */
  conflicts: number;
  /** Answers the real subgraph gave with a status other than 200 while recording (not recorded). */
  upstreamFailures: number;
  /** Requests answered from the recording. */
  hits: number;
  /** Requests whose body was not recorded: answered 502. */
  misses: number;
  /** Access-log POSTs answered 201 without storing. */
  accessRecords: number;
}

export interface ReplayStats {
  mode: ReplayMode;
  subgraphs: Record<string, SubgraphReplayStats>;
  /** The start of a few bodies that missed or conflicted, to debug a failing replay. */
  samples: Array<{ subgraph: string; kind: 'miss' | 'conflict' | 'upstream'; body: string }>;
}

export interface ReplayOptions {
  /** Base URL (`http://127.0.0.1:<port>`) of each real subgraph, by name. */
  upstreams: Record<string, string>;
  /** Port of each subgraph's replay server on 127.0.0.1 (0: any free port). */
  ports: Record<string, number>;
  /** Bound on the recorded answers of all subgraphs together (default 200,000). */
  maxEntries?: number;
}

export interface Replay {
  /** Base URL of each subgraph's replay server. */
  bases: Record<string, string>;
  mode(): ReplayMode;
  setMode(mode: ReplayMode): void;
  stats(): ReplayStats;
  close(): Promise<void>;
}

const ACCESS_RECORDS_ANSWER = Buffer.from('{"replayed":true}');
const ACCESS_RECORDS_HEADERS = { 'content-type': 'application/json', 'content-length': String(ACCESS_RECORDS_ANSWER.length) };
const MISS_ANSWER = Buffer.from('{"errors":[{"message":"replay: no recorded answer for this request body"}]}');
const MISS_HEADERS = { 'content-type': 'application/json', 'content-length': String(MISS_ANSWER.length) };
// Headers that belong to a connection, not to the request the proxy forwards.
const HOP_BY_HOP = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection']);

function forwardHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

/** Starts one replay server per entry of `options.ports`, in record mode. */
export async function startReplay(options: ReplayOptions): Promise<Replay> {
  const maxEntries = options.maxEntries ?? 200_000;
  let mode: ReplayMode = 'record';
  let entries = 0;
  const samples: ReplayStats['samples'] = [];
  const sample = (subgraph: string, kind: 'miss' | 'conflict' | 'upstream', body: Buffer) => {
    if (samples.length < 10) samples.push({ subgraph, kind, body: body.subarray(0, 400).toString('utf8') });
  };
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const servers: Server[] = [];
  const bases: Record<string, string> = {};
  const stats: Record<string, SubgraphReplayStats> = {};

  for (const [name, port] of Object.entries(options.ports)) {
    const upstream = options.upstreams[name];
    if (!upstream) throw new Error(`replay: no upstream for ${name}`);
    const upstreamUrl = new URL(upstream);
    if (upstreamUrl.hostname !== '127.0.0.1') throw new Error(`replay: upstreams on 127.0.0.1 only, not ${upstreamUrl.hostname}`);
    const recorded = new Map<string, Recorded>();
    const counters: SubgraphReplayStats = { recorded: 0, forwarded: 0, conflicts: 0, upstreamFailures: 0, hits: 0, misses: 0, accessRecords: 0 };
    stats[name] = counters;

    const record = (req: IncomingMessage, res: ServerResponse, body: Buffer, key: string) => {
      counters.forwarded++;
      const out = httpRequest(
        { host: '127.0.0.1', port: upstreamUrl.port, method: req.method, path: req.url, headers: forwardHeaders(req.headers), agent },
        (upstreamRes) => {
          const chunks: Buffer[] = [];
          upstreamRes.on('data', (c: Buffer) => chunks.push(c));
          upstreamRes.on('end', () => {
            const answer = Buffer.concat(chunks);
            const status = upstreamRes.statusCode ?? 502;
            const contentType = upstreamRes.headers['content-type'] ?? 'application/json';
            if (status === 200) {
              const existing = recorded.get(key);
              if (!existing) {
                if (entries < maxEntries) {
                  recorded.set(key, { body: answer, headers: { 'content-type': contentType, 'content-length': String(answer.length) } });
                  counters.recorded++;
                  entries++;
                }
              } else if (!existing.body.equals(answer)) {
                counters.conflicts++;
                sample(name, 'conflict', body);
              }
            } else {
              counters.upstreamFailures++;
              sample(name, 'upstream', answer);
            }
            res.writeHead(status, { 'content-type': contentType, 'content-length': String(answer.length) });
            res.end(answer);
          });
          upstreamRes.on('error', () => res.destroy());
        },
      );
      out.on('error', () => {
        counters.upstreamFailures++;
        if (!res.headersSent) res.writeHead(502, MISS_HEADERS);
        res.end(MISS_ANSWER);
      });
      out.end(body);
    };

    const server = createServer((req, res) => {
      const accessLog = req.url === ACCESS_RECORDS_PATH;
      // The body is hashed as it arrives; the chunks are kept (references, no copy) to forward
      // it when recording and to show the start of a body that missed.
      const hash = createHash('sha256');
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        chunks.push(chunk);
      });
      req.on('end', () => {
        if (accessLog && req.method === 'POST') {
          counters.accessRecords++;
          res.writeHead(201, ACCESS_RECORDS_HEADERS);
          res.end(ACCESS_RECORDS_ANSWER);
          return;
        }
        const key = hash.digest('base64');
        if (mode === 'record') {
          record(req, res, Buffer.concat(chunks), key);
          return;
        }
        const answer = recorded.get(key);
        if (answer) {
          counters.hits++;
          res.writeHead(200, answer.headers);
          res.end(answer.body);
          return;
        }
        counters.misses++;
        if (samples.length < 10) sample(name, 'miss', Buffer.concat(chunks));
        res.writeHead(502, MISS_HEADERS);
        res.end(MISS_ANSWER);
      });
    });
    // Longer than the gateway's own idle timeout (30 s), like the subgraphs: the gateway closes idle sockets.
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    servers.push(server);
    bases[name] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  return {
    bases,
    mode: () => mode,
    setMode(next) {
      mode = next;
    },
    stats: () => ({ mode, subgraphs: JSON.parse(JSON.stringify(stats)) as Record<string, SubgraphReplayStats>, samples: [...samples] }),
    async close() {
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        ),
      );
      agent.destroy();
    },
  };
}

/** Sum of one counter over all subgraphs. */
export function totalOf(stats: ReplayStats, counter: keyof SubgraphReplayStats): number {
  return Object.values(stats.subgraphs).reduce((sum, s) => sum + s[counter], 0);
}
