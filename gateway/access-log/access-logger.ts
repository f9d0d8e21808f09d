import type { GatewayExecutionResult, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import type { GraphQLError, OperationDefinitionNode } from 'graphql';
import type { AccessRecordBatch } from '../../lib/access-log/wire';
import type { Identity } from '../../lib/identity/identity';
import type { CompiledPolicy } from '../../lib/policy/compiled';
import type { Logger } from '../../lib/log';
import type { AccessLogMetrics } from '../observability/access-log-metrics';
import { AuditedOperations } from './audited-operation';
import { AccessLogUnavailable, type AccessLogEndpoint } from './client';
import { AccessLogWriter, type CoalescingOptions } from './coalescing-writer';
import type { OperationScope } from '../authorization/collect-fields';
import { findAccesses, type ResultError } from './records';
import { stripSubjects } from './subject';
import { withholdReleases } from './withhold';

/**
 * The client's operation name with every run of three or more digits masked: a name such
 * as `Read2044001001` must not put a V-number in clear into the access log.
 */
function maskDigits(operationName: string): string {
  return operationName.replace(/\d{3,}/g, (digits) => '#'.repeat(digits.length));
}

/** One executed (or refused) operation, as the access log needs to see it. */
export interface SettleInput {
  requestContext: GatewayGraphQLRequestContext;
  /** The original operation (not the rewritten one): paths and aliases as the client sees them. */
  operation: OperationDefinitionNode;
  scope: OperationScope;
  identity: Identity;
  policy: CompiledPolicy;
  /** The result after denied fields were filled with null; still carrying injected subject keys. */
  result: GatewayExecutionResult;
  /** True when the executed operation had subject keys injected (they are removed here). */
  injected: boolean;
}

/**
 * Writes the access records of each request before its response leaves: finds every
 * release and denial of audited data in the result, hands them as one batch to the
 * coalescing writer (one signed POST to the audit subgraph, shared with the batches of
 * concurrent requests under load) and waits for the commit. When that fails or times out
 * (ACCESS_LOG_TIMEOUT_MS, time queued included), every released audited field is withheld
 * (null + ACCESS_LOG_UNAVAILABLE) and the rest of the response is unaffected. Requests that
 * touch no audited field send nothing. Removes the injected subject keys.
 */
export class AccessLogger {
  private readonly audited = new AuditedOperations();
  private readonly writer: AccessLogWriter;

  constructor(
    endpoint: AccessLogEndpoint,
    private readonly log?: Logger,
    /** Counts writes and failures (gateway/observability). */
    private readonly metrics?: AccessLogMetrics,
    /** In-flight and per-POST bounds of the coalescing writer (defaults: coalescing-writer.ts). */
    coalescing: Omit<CoalescingOptions, 'onPost'> = {},
  ) {
    this.writer = new AccessLogWriter(endpoint, { ...coalescing, onPost: (batches, records) => metrics?.posted?.(batches, records) });
  }

  /** Returns the response to send: the result with its access records committed, or with audited fields withheld. */
  async settle(input: SettleInput): Promise<GatewayExecutionResult> {
    const { requestContext, scope, policy, result } = input;
    let data = (result.data ?? null) as Record<string, unknown> | null;
    let errors: GraphQLError[] = [...((result.errors ?? []) as GraphQLError[])];
    if (this.audited.selectsAudited(scope.schema, policy, requestContext.document, requestContext.queryHash)) {
      const findings = findAccesses(scope, input.operation, data, errors as unknown as ResultError[], policy);
      if (findings.records.length > 0) {
        const started = performance.now();
        try {
          await this.writer.write(this.batchOf(input, findings.records));
          this.log?.debug({ records: findings.records.length, ms: Math.round((performance.now() - started) * 10) / 10 }, 'access records committed');
          this.metrics?.committed(findings.records.length, (performance.now() - started) / 1000);
        } catch (error) {
          const reason = error instanceof AccessLogUnavailable ? error.reason : 'error';
          this.log?.error({ reason, withheld: findings.releases.length, traceId: input.identity.traceId }, 'access log unavailable: audited fields withheld');
          this.metrics?.failed(reason, findings.releases.length);
          if (data && findings.releases.length > 0) {
            const withheld = withholdReleases(data, findings.releases);
            data = withheld.data;
            errors = [...errors, ...withheld.errors];
          }
        }
      }
    }
    if (data && input.injected) stripSubjects(data);
    return { ...result, data, errors: errors.length > 0 ? errors : undefined };
  }

  private batchOf(input: SettleInput, records: AccessRecordBatch['records']): AccessRecordBatch {
    const { identity, policy, requestContext } = input;
    const purpose = identity.purpose ?? null;
    const operationName = requestContext.operationName;
    return {
      traceId: identity.traceId ?? '0'.repeat(32),
      actor: {
        subject: identity.subject,
        organisation: identity.organisation,
        roles: identity.roles,
        audience: identity.audience,
        purpose,
      },
      processingActivity: operationName ? `${purpose ?? 'unspecified'}:${maskDigits(operationName)}`.slice(0, 200) : purpose,
      policyHash: policy.hash,
      records,
    };
  }
}
