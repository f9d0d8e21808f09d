import { MAX_RECORDS_PER_POST, type AccessRecordBatch } from '../../lib/access-log/wire';
import type { Store } from '../../lib/db/store';
import { appendBatches } from './chain';
import type { AccessLogKeys } from './crypto';

/**
 * Most records one group transaction takes (each batch has at most MAX_RECORDS_PER_BATCH).
 * Equal to the most one envelope may carry, so that an envelope always fits in one.
 */
const MAX_GROUP_RECORDS = MAX_RECORDS_PER_POST;

/** Appends access records through the group commit. */
export interface GroupCommit {
  /** Appends one batch; resolves with its ids after the COMMIT that holds it, rejects if that transaction failed. */
  (batch: AccessRecordBatch): Promise<number[]>;
  /**
   * Appends several batches (one coalesced POST) as one unit: they are never split over
   * two transactions, so they are committed together or not at all. Resolves with the ids
   * per batch after that COMMIT.
   */
  all(batches: readonly AccessRecordBatch[]): Promise<number[][]>;
}

/**
 * Group commit for the access log. Appends serialise on one lock (the hash chain has one
 * order), so under concurrent requests each POST used to wait for every transaction ahead
 * of it. Here a unit (the batches of one POST) that arrives while no append runs is written
 * at once, alone; units that arrive while one runs wait for it and are then written
 * together in ONE transaction. Each caller is answered only after the COMMIT that holds its
 * records (durable before release, as before), and if that transaction fails every unit in
 * it fails (503), so none is reported written that was not. Fewer transactions, fewer WAL
 * flushes, the same chain.
 */
export function createGroupCommit(store: Store, keys: AccessLogKeys): GroupCommit {
  interface Unit {
    batches: readonly AccessRecordBatch[];
    records: number;
    resolve: (ids: number[][]) => void;
    reject: (error: unknown) => void;
  }
  const queue: Unit[] = [];
  let running = false;

  async function drain(): Promise<void> {
    running = true;
    try {
      while (queue.length > 0) {
        let records = 0;
        let take = 0;
        // Whole units only; the first always goes, even one over the bound (it was accepted).
        while (take < queue.length && (take === 0 || records + queue[take]!.records <= MAX_GROUP_RECORDS)) {
          records += queue[take]!.records;
          take++;
        }
        const group = queue.splice(0, take);
        try {
          const ids = await appendBatches(store, keys, group.flatMap((unit) => unit.batches));
          let at = 0;
          for (const unit of group) {
            unit.resolve(ids.slice(at, at + unit.batches.length));
            at += unit.batches.length;
          }
        } catch (error) {
          for (const unit of group) unit.reject(error);
        }
      }
    } finally {
      running = false;
    }
  }

  const all = (batches: readonly AccessRecordBatch[]) =>
    new Promise<number[][]>((resolve, reject) => {
      if (batches.length === 0) {
        resolve([]);
        return;
      }
      queue.push({ batches, records: batches.reduce((sum, batch) => sum + batch.records.length, 0), resolve, reject });
      if (!running) void drain();
    });
  const append = ((batch: AccessRecordBatch) => all([batch]).then((ids) => ids[0]!)) as GroupCommit;
  append.all = all;
  return append;
}
