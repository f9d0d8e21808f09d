import { MAX_BATCHES_PER_POST, MAX_BYTES_PER_POST, MAX_RECORDS_PER_POST, type AccessRecordBatch } from '../../lib/access-log/wire';
import { AccessLogUnavailable, postAccessRecordsBody, type AccessLogEndpoint } from './client';

/**
 * How many POSTs may be on their way to the audit service at once: one.
 *
 * Why one: a second POST in flight overlaps nothing that matters. Appends serialise on one
 * lock in the audit service, whose own group commit (subgraphs/audit/group-commit.ts) holds
 * a POST that arrives during a transaction until that transaction commits; a second lane
 * only splits the same batches into twice as many POSTs, each with its own round trip,
 * signature, parse and transaction (WAL flush). Measured against the real audit service on
 * PostgreSQL (a separate process; writers in a closed loop, 1-record batches, this 2-core
 * machine under other load), in flight 1 / 2 / 4 against one POST per request:
 *   16 writers: 3,400-4,100 / 2,700-3,200 / 2,500-2,700 against 1,600-2,600 writes/s;
 *               p50 3.5-4.4 / 4.7-5.3 / 5.1-5.9 against 5.7-9.4 ms;
 *               CPU per write, gateway + audit: 41-50 + 103-113 / 47-63 + 120-183 µs
 *               against 198-378 + 190-420 µs;
 *    4 writers: 1,670-1,830 / 970-1,240 / 770-1,200 against 925-1,010 writes/s;
 *   64 writers: 6,250-7,390 / 5,450-6,750 / 5,000-6,560 against 3,940-4,550 writes/s.
 * One was best in throughput, median latency and CPU at every concurrency tried (2 to 64).
 * The price: while the one POST is in flight nothing else leaves, so a POST that stalls
 * (a dead connection, say) holds the queue until its deadline and those requests withhold;
 * that is bounded by ACCESS_LOG_TIMEOUT_MS, and a slow audit service would hold a second
 * lane behind the same lock anyway. CoalescingOptions.maxInFlight changes it.
 */
export const DEFAULT_MAX_IN_FLIGHT = 1;

/** How the writer bounds what is in flight and what one POST carries (defaults: the wire bounds). */
export interface CoalescingOptions {
  /** POSTs in flight at once (default DEFAULT_MAX_IN_FLIGHT). */
  maxInFlight?: number;
  /** Most batches (requests) per POST (default and at most MAX_BATCHES_PER_POST). */
  maxBatchesPerPost?: number;
  /** Most records per POST over all its batches (default and at most MAX_RECORDS_PER_POST). */
  maxRecordsPerPost?: number;
  /** Most bytes of JSON per coalesced POST (default and at most MAX_BYTES_PER_POST). */
  maxBytesPerPost?: number;
  /** Told of every POST as it is sent: how many batches and records it carries (metrics). */
  onPost?: (batches: number, records: number) => void;
}

/** One request's batch waiting for (or riding in) a POST. */
interface Pending {
  /** The batch as JSON, serialised once: it goes into the POST body as these exact bytes. */
  readonly json: string;
  readonly bytes: number;
  readonly records: number;
  readonly traceId: string;
  /** performance.now() after which the request no longer waits. */
  readonly deadline: number;
  timer?: ReturnType<typeof setTimeout>;
  /** Set once the request has its answer (commit, failure or its own timeout); later outcomes are ignored. */
  settled: boolean;
  resolve(): void;
  reject(error: AccessLogUnavailable): void;
}

const ENVELOPE_OPEN = '{"batches":[';
const ENVELOPE_CLOSE = ']}';

/**
 * The gateway's access log writer: a group commit on the gateway's side. Each request hands
 * it its batch and waits; a batch that arrives while fewer than `maxInFlight` POSTs are out
 * is sent at once, alone (no added latency when idle); batches that arrive while the POSTs
 * are out queue and go together, in arrival order, in the next POST (an envelope
 * `{ "batches": [...] }`), bounded per POST by batches, records and bytes. So under load one
 * HTTP round trip, one signature and one JSON parse serve many requests instead of one each.
 *
 * Guarantees, per request:
 * - it resolves only when the POST carrying its batch was answered 201, which the audit
 *   service sends only after the COMMIT holding every batch of that POST (durable before
 *   release, unchanged);
 * - if that POST fails (network, timeout, any other status) it rejects with
 *   AccessLogUnavailable, as does every other request in the POST;
 * - it waits at most the endpoint's `timeoutMs` in all, queued plus in flight. A request
 *   that times out while queued is taken out of the queue and never sent. One that times
 *   out while its POST is in flight rejects at once; its records may still be committed
 *   afterwards. Either way the caller withholds the audited fields: logged but withheld is
 *   safe, released but not logged never happens.
 */
export class AccessLogWriter {
  private readonly queue: Pending[] = [];
  private inFlight = 0;
  private readonly maxInFlight: number;
  private readonly maxBatches: number;
  private readonly maxRecords: number;
  private readonly maxBytes: number;

  constructor(
    private readonly endpoint: AccessLogEndpoint,
    private readonly options: CoalescingOptions = {},
  ) {
    this.maxInFlight = Math.max(1, Math.floor(options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT));
    // Never above the wire bounds: the audit service refuses an envelope over them.
    this.maxBatches = clamp(options.maxBatchesPerPost, MAX_BATCHES_PER_POST);
    this.maxRecords = clamp(options.maxRecordsPerPost, MAX_RECORDS_PER_POST);
    this.maxBytes = clamp(options.maxBytesPerPost, MAX_BYTES_PER_POST);
  }

  /** Batches waiting for a POST (for tests and diagnostics). */
  get queued(): number {
    return this.queue.length;
  }

  /** POSTs on their way (for tests and diagnostics). */
  get postsInFlight(): number {
    return this.inFlight;
  }

  /**
   * Writes one request's batch. Resolves after the COMMIT that holds it; rejects with
   * AccessLogUnavailable (reason `timeout`, `network` or `status <n>`) when that cannot be
   * confirmed within the endpoint's `timeoutMs` from this call. Never rejects otherwise.
   */
  write(batch: AccessRecordBatch): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const json = JSON.stringify(batch);
      const pending: Pending = {
        json,
        bytes: Buffer.byteLength(json),
        records: batch.records.length,
        traceId: batch.traceId,
        deadline: performance.now() + this.endpoint.timeoutMs,
        settled: false,
        resolve,
        reject,
      };
      pending.timer = setTimeout(() => this.expire(pending), this.endpoint.timeoutMs);
      this.queue.push(pending);
      this.pump();
    });
  }

  /** The request's own deadline passed: answer it now; out of the queue if still queued. */
  private expire(pending: Pending): void {
    if (pending.settled) return;
    const at = this.queue.indexOf(pending);
    if (at >= 0) this.queue.splice(at, 1);
    settle(pending, new AccessLogUnavailable('timeout'));
  }

  /** Sends POSTs while there is room in flight and something queued. */
  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const group = this.take();
      this.inFlight++;
      void this.send(group).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  /**
   * Takes the oldest queued batches for one POST: always the first (a batch alone is sent
   * whatever its size, as before coalescing), then more in arrival order while they fit the
   * per-POST bounds. Strictly in order: a large batch is not overtaken by smaller ones.
   */
  private take(): Pending[] {
    const first = this.queue[0]!;
    let records = first.records;
    let bytes = ENVELOPE_OPEN.length + first.bytes + ENVELOPE_CLOSE.length;
    let count = 1;
    while (count < this.queue.length && count < this.maxBatches) {
      const next = this.queue[count]!;
      if (records + next.records > this.maxRecords || bytes + 1 + next.bytes > this.maxBytes) break;
      records += next.records;
      bytes += 1 + next.bytes;
      count++;
    }
    return this.queue.splice(0, count);
  }

  /** One POST for `group`; answers every request in it that is still waiting. */
  private async send(group: Pending[]): Promise<void> {
    // A lone batch goes as a bare batch, exactly as before coalescing (an audit service of
    // the previous version still takes it); two or more go in an envelope, built from the
    // batches' JSON as serialised on arrival, so nothing is serialised twice.
    const body = group.length === 1 ? group[0]!.json : `${ENVELOPE_OPEN}${group.map((p) => p.json).join(',')}${ENVELOPE_CLOSE}`;
    // The POST need not outlive the most patient request in it (each also has its own timer).
    const timeoutMs = Math.max(...group.map((p) => p.deadline)) - performance.now();
    try {
      this.options.onPost?.(group.length, group.reduce((sum, p) => sum + p.records, 0));
    } catch {
      // Counting is not worth failing a write over.
    }
    let failure: AccessLogUnavailable | undefined;
    try {
      // Signed and traced under the first batch's trace id; each stored record keeps its own batch's.
      await postAccessRecordsBody(this.endpoint, body, group[0]!.traceId, timeoutMs);
    } catch (error) {
      // Anything else (a signing secret that cannot be read, say) also means: not written.
      failure = error instanceof AccessLogUnavailable ? error : new AccessLogUnavailable('network');
    }
    for (const pending of group) settle(pending, failure);
  }
}

function clamp(value: number | undefined, bound: number): number {
  return value === undefined ? bound : Math.max(1, Math.min(bound, Math.floor(value)));
}

/** Answers a request once: committed (no failure) or not; a second answer is ignored. */
function settle(pending: Pending, failure?: AccessLogUnavailable): void {
  if (pending.settled) return;
  pending.settled = true;
  clearTimeout(pending.timer);
  if (failure) pending.reject(failure);
  else pending.resolve();
}
