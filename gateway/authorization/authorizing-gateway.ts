import type { ApolloGateway } from '@apollo/gateway';
import type {
  GatewayExecutionResult,
  GatewayExecutor,
  GatewayGraphQLRequestContext,
  GatewayInterface,
  GatewayLoadResult,
} from '@apollo/server-gateway-interface';
import { Kind, getVariableValues, print, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema } from 'graphql';
import { createHash } from 'node:crypto';
import type { Identity } from '../../lib/identity/identity';
import type { CompiledPolicy } from '../../lib/policy/compiled';
import { callerOf } from '../../lib/policy/shield';
import type { AccessLogger } from '../access-log/access-logger';
import { subjectInjection } from '../access-log/subject';
import { deniedErrors, fillDeniedFields } from './fill-denied';
import { removeDeniedFields, type AuthorizedOperation } from './rewrite';

/** What the gateway's request context must carry for authorization. */
export interface AuthorizationContext {
  identity: Identity;
}

interface CachedOperation extends AuthorizedOperation {
  queryHash: string;
  /**
   * The document the entry was made from: `denied` is keyed by its field nodes, so the
   * entry only serves that same document object. The same text parsed anew (Apollo's
   * document cache evicted it, or concurrent first requests) is authorized anew; otherwise
   * its denied fields would silently vanish instead of coming back null with FORBIDDEN.
   */
  source: DocumentNode;
}

/** A small LRU: Map keeps insertion order, so re-inserting on hit keeps hot entries. */
class Lru<V> {
  private readonly entries = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }
  set(key: string, value: V): void {
    this.entries.set(key, value);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as string);
  }
}

function fragmentsOf(document: DocumentNode): Record<string, FragmentDefinitionNode> {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  return fragments;
}

/**
 * The operation's variables as execution sees them, defaults applied, so that
 * `@include(if: $v)`/`@skip(if: $v)` with a defaulted variable are judged as executed
 * (the raw request variables lack defaults, and reading them made the result walk throw).
 */
function coercedVariables(schema: GraphQLSchema, requestContext: GatewayGraphQLRequestContext): Record<string, unknown> {
  const raw = (requestContext.request.variables ?? {}) as Record<string, unknown>;
  const { coerced } = getVariableValues(schema, requestContext.operation.variableDefinitions ?? [], raw);
  return coerced ?? raw;
}

/**
 * Wraps @apollo/gateway so that every operation is checked against the caller's audience
 * before it is planned: denied fields are removed from what is planned and fetched, and
 * come back as null with a FORBIDDEN error at their paths (or, with
 * `onDenied: reject-operation`, the whole operation is refused).
 *
 * The gateway caches query plans by query hash. The rewritten operation gets the hash of
 * its own printed text, so a plan is shared only by callers whose operations are the same
 * after authorization; one audience is never served a plan made for another.
 *
 * With an access logger, every selection set on Person also gets the data subject's
 * V-number injected (so every operation that selects a Person is rewritten), and the
 * response is returned only after the logger has settled it (records committed, or
 * audited fields withheld).
 */
export class AuthorizingGateway implements GatewayInterface {
  private apiSchema: GraphQLSchema | undefined;
  private readonly operations = new Lru<CachedOperation | null>(5_000);

  constructor(
    private readonly inner: ApolloGateway,
    private readonly policy: () => CompiledPolicy,
    /** Overrides the policy's `settings.onDenied` (ON_DENIED). */
    private readonly onDeniedOverride?: 'null-field' | 'reject-operation',
    /** Writes access records before each response leaves (gateway/access-log). */
    private readonly accessLog?: AccessLogger,
  ) {
    inner.onSchemaLoadOrUpdate(({ apiSchema }) => {
      this.apiSchema = apiSchema;
    });
  }

  onSchemaLoadOrUpdate(callback: Parameters<GatewayInterface['onSchemaLoadOrUpdate']>[0]) {
    return this.inner.onSchemaLoadOrUpdate(callback);
  }

  async load(options: Parameters<GatewayInterface['load']>[0]): Promise<GatewayLoadResult> {
    const loaded = await this.inner.load(options);
    return { executor: this.wrap(loaded.executor) };
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }

  private authorize(requestContext: GatewayGraphQLRequestContext, identity: Identity): CachedOperation | null {
    const policy = this.policy();
    const caller = callerOf(identity);
    const key = [policy.hash, caller.audience ?? '', caller.purpose ?? '', caller.organisation, requestContext.queryHash, requestContext.operationName ?? ''].join('\u0000');
    const cached = this.operations.get(key);
    if (cached === null || (cached !== undefined && cached.source === requestContext.document)) return cached;
    const decide = (coordinate: string) => policy.decide(caller, coordinate);
    const authorized = removeDeniedFields(
      this.apiSchema!,
      requestContext.document,
      decide,
      (coordinate) => policy.classOf(coordinate),
      this.accessLog ? subjectInjection(decide) : undefined,
    );
    const entry: CachedOperation | null =
      authorized.denied.size === 0 && !authorized.injected
        ? null
        : { ...authorized, queryHash: createHash('sha256').update(print(authorized.document)).digest('hex'), source: requestContext.document };
    this.operations.set(key, entry);
    return entry;
  }

  private wrap(execute: GatewayExecutor): GatewayExecutor {
    return async (requestContext) => {
      const identity = (requestContext.context as Partial<AuthorizationContext>).identity;
      // The HTTP layer refuses requests without a verified identity; this is the backstop.
      if (!identity) return { errors: [{ message: 'a valid bearer token is required', extensions: { code: 'UNAUTHENTICATED' } }] as never };
      const policy = this.policy();
      const authorized = this.authorize(requestContext, identity);
      if (!authorized && !this.accessLog) return execute(requestContext);
      const scope = {
        schema: this.apiSchema!,
        fragments: fragmentsOf(requestContext.document),
        variables: coercedVariables(this.apiSchema!, requestContext),
      };
      const result = await this.run(execute, requestContext, authorized, scope);
      if (!this.accessLog) return result;
      return this.accessLog.settle({ requestContext, operation: requestContext.operation, scope, identity, policy, result, injected: authorized?.injected ?? false });
    };
  }

  /** Executes the authorized operation and fills denied fields with null (or refuses it whole). */
  private async run(
    execute: GatewayExecutor,
    requestContext: GatewayGraphQLRequestContext,
    authorized: CachedOperation | null,
    scope: { fragments: Record<string, FragmentDefinitionNode>; variables: Record<string, unknown> },
  ): Promise<GatewayExecutionResult> {
    if (!authorized) return execute(requestContext);
    if (authorized.denied.size > 0 && (this.onDeniedOverride ?? this.policy().onDenied) === 'reject-operation') {
      return { errors: deniedErrors(authorized.denied) };
    }
    const result = await execute({ ...requestContext, document: authorized.document, queryHash: authorized.queryHash });
    if (authorized.denied.size === 0) return result;
    const filled = fillDeniedFields(
      this.apiSchema!,
      requestContext.operation,
      scope.fragments,
      scope.variables,
      authorized.denied,
      result.data as Record<string, unknown> | null | undefined,
    );
    const errors = [...filled.errors, ...(result.errors ?? [])];
    return { ...result, data: filled.data, errors: errors.length > 0 ? errors : undefined };
  }
}
