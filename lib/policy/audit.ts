import type { CompiledPolicy } from './compiled';
import type { PolicyDocument } from './model';

/**
 * True when releases and denials of `className` go to the access log: the class's own
 * `audit` flag, else true for special-category data. Unknown classes are not audited
 * (the policy check refuses schemas that use them).
 */
export function isAuditedClass(document: PolicyDocument, className: string | undefined): boolean {
  if (!className) return false;
  const definition = document.classes[className];
  if (!definition) return false;
  return definition.audit ?? definition.sensitivity === 'special-category';
}

/** True when the field `Type.field` belongs to an audited class under `policy`. */
export function isAuditedField(policy: CompiledPolicy, coordinate: string): boolean {
  return isAuditedClass(policy.document, policy.classOf(coordinate));
}
