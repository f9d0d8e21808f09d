import { Counter, Histogram, type Registry } from 'prom-client';
import { BoundedLabel } from '../../lib/observability/labels';

/** What the access logger reports after each attempt to write a request's records. */
export interface AccessLogMetrics {
  /** The audit service committed `records` records in `seconds`. */
  committed(records: number, seconds: number): void;
  /** The write failed (`timeout`, `network`, `status 503`, ...); `withheld` audited fields were withheld. */
  failed(reason: string, withheld: number): void;
  /** A POST to the audit service left carrying the batches of `batches` requests, `records` records in all. */
  posted?(batches: number, records: number): void;
}

/**
 * Access-log metrics, counted by gateway/access-log/access-logger.ts:
 * `chain_access_log_writes_total` (batches committed), `chain_access_log_records_total`
 * (records committed), `chain_access_log_write_duration_seconds` (time to commit),
 * `chain_access_log_write_failures_total{reason}` and
 * `chain_access_log_withheld_fields_total` (audited fields withheld because their records
 * could not be written), all counted per request, and
 * `chain_access_log_batches_per_post` (how many requests' batches each POST to the audit
 * service carried: the gateway coalesces them under load; its `_count` is the number of
 * POSTs). Any failure is worth an alert: audited data is being withheld.
 */
export function createAccessLogMetrics(registry: Registry): AccessLogMetrics {
  const reasons = new BoundedLabel(20);
  const writes = new Counter({ name: 'chain_access_log_writes_total', help: 'Access-record batches (one per request) committed by the audit service', registers: [registry] });
  const records = new Counter({ name: 'chain_access_log_records_total', help: 'Access records committed by the audit service', registers: [registry] });
  const duration = new Histogram({
    name: 'chain_access_log_write_duration_seconds',
    help: "Time from handing a request's access records to the writer to their commit (time queued included)",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const failures = new Counter({
    name: 'chain_access_log_write_failures_total',
    help: 'Access-record batches (one per request) that could not be written, by reason',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const withheldFields = new Counter({
    name: 'chain_access_log_withheld_fields_total',
    help: 'Audited fields withheld because their access records could not be written',
    registers: [registry],
  });
  const batchesPerPost = new Histogram({
    name: 'chain_access_log_batches_per_post',
    help: 'Requests whose access-record batches one POST to the audit service carried',
    buckets: [1, 2, 4, 8, 16, 32, 64],
    registers: [registry],
  });
  return {
    posted(batches) {
      batchesPerPost.observe(batches);
    },
    committed(count, seconds) {
      writes.inc();
      records.inc(count);
      duration.observe(seconds);
    },
    failed(reason, withheld) {
      const label = reason.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 32);
      failures.inc({ reason: reasons.value(label || 'error') });
      withheldFields.inc(withheld);
    },
  };
}
