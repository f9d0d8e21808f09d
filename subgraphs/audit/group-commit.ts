import type { AccessRecordBatch } from '../../lib/access-log/wire';
import type { Store } from '../../lib/db/store';
import { appendBatches } from './chain';
import type { AccessLogKeys } from './crypto';

/** Most records one group transaction takes (each batch has at most MAX_RECORDS_PER_BATCH). */
const MAX_GROUP_RECORDS = 4_000;

/**
 * Group commit for the access log. Appends serialise on one lock (the hash chain has one
 * order), so under concurrent requests each POST used to wait for every transaction ahead
 * of it. Here a batch that arrives while no append runs is written at once, alone; batches
 * that arrive while one runs wait for it and are then written together in ONE transaction.
 * Each caller is answered only after the COMMIT that holds its records (durable before
 * release, as before), and if that transaction fails every batch in it fails (503), so
 * none is reported written that was not. Fewer transactions, fewer WAL flushes, the same
 * chain.
 */
export function createGroupCommit(store: Store, keys: AccessLogKeys): (batch: AccessRecordBatch) => Promise<number[]> {
  const queue: Array<{ batch: AccessRecordBatch; resolve: (ids: number[]) => void; reject: (error: unknown) => void }> = [];
  let running = false;

  async function drain(): Promise<void> {
    running = true;
    try {
      while (queue.length > 0) {
        let records = 0;
        let take = 0;
        while (take < queue.length && (take === 0 || records + queue[take]!.batch.records.length <= MAX_GROUP_RECORDS)) {
          records += queue[take]!.batch.records.length;
          take++;
        }
        const group = queue.splice(0, take);
        try {
          const ids = await appendBatches(store, keys, group.map((entry) => entry.batch));
          group.forEach((entry, i) => entry.resolve(ids[i]!));
        } catch (error) {
          for (const entry of group) entry.reject(error);
        }
      }
    } finally {
      running = false;
    }
  }

  return (batch) =>
    new Promise<number[]>((resolve, reject) => {
      queue.push({ batch, resolve, reject });
      if (!running) void drain();
    });
}
