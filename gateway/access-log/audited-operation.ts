import { TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type GraphQLSchema } from 'graphql';
import { isAuditedField } from '../../lib/policy/audit';
import type { CompiledPolicy } from '../../lib/policy/compiled';

/**
 * Remembers, per policy and operation text, whether an operation selects any audited
 * field at all. Operations that do not (most chain traffic) skip the result walk and send
 * nothing to the access log. Bounded: the oldest entries go first.
 */
export class AuditedOperations {
  private readonly known = new Map<string, boolean>();
  constructor(private readonly max = 5_000) {}

  /** True when `document` selects a field of an audited class under `policy`. */
  selectsAudited(schema: GraphQLSchema, policy: CompiledPolicy, document: DocumentNode, queryHash: string): boolean {
    const key = `${policy.hash}\u0000${queryHash}`;
    const cached = this.known.get(key);
    if (cached !== undefined) return cached;
    let audited = false;
    const typeInfo = new TypeInfo(schema);
    visit(
      document,
      visitWithTypeInfo(typeInfo, {
        Field(node) {
          const parent = typeInfo.getParentType();
          if (!audited && parent && !node.name.value.startsWith('__')) audited = isAuditedField(policy, `${parent.name}.${node.name.value}`);
        },
      }),
    );
    this.known.set(key, audited);
    if (this.known.size > this.max) this.known.delete(this.known.keys().next().value as string);
    return audited;
  }
}
