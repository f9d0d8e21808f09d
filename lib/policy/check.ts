import type { ParsedPolicy, PolicyProblem } from './load';
import type { FieldClassification } from './model';

/**
 * Checks a schema-valid policy against the classified fields of a schema (the supergraph
 * at the gateway, the subgraph's own SDL in a subgraph). Reports, with the line at fault:
 * rules naming unknown audiences, classes, purposes or fields; fields the schema leaves
 * unclassified or classifies with a class the policy does not define (in `subgraph`
 * scope, rules may name fields of other partners). Returns the
 * problems; an empty list means the policy may be used.
 */
export function checkPolicy(
  policy: ParsedPolicy,
  fields: ReadonlyMap<string, FieldClassification>,
  scope: 'supergraph' | 'subgraph' = 'supergraph',
): PolicyProblem[] {
  const { document, locate } = policy;
  const problems: PolicyProblem[] = [];
  const at = (path: Array<string | number>, message: string) => problems.push({ ...locate(path), message });

  const typeNames = new Set([...fields.values()].map((field) => field.typeName));
  const ruleIds = new Map<string, number>();
  document.rules.forEach((rule, r) => {
    if (ruleIds.has(rule.id)) at(['rules', r, 'id'], `rule id "${rule.id}" is used twice (first in rule ${ruleIds.get(rule.id)! + 1})`);
    ruleIds.set(rule.id, r);
    rule.audiences.forEach((audience, i) => {
      if (!(audience in document.audiences)) at(['rules', r, 'audiences', i], `rule "${rule.id}": unknown audience "${audience}"`);
    });
    rule.classes?.forEach((name, i) => {
      if (!(name in document.classes)) at(['rules', r, 'classes', i], `rule "${rule.id}": unknown class "${name}"`);
    });
    rule.fields?.forEach((coordinate, i) => {
      // A subgraph sees only its own fields; rules about other partners' fields are checked on the supergraph.
      if (scope === 'supergraph' && !fields.has(coordinate)) {
        const typeName = coordinate.slice(0, coordinate.indexOf('.'));
        const message = typeNames.has(typeName) ? `unknown field "${coordinate}"` : `unknown type "${typeName}" in "${coordinate}"`;
        at(['rules', r, 'fields', i], `rule "${rule.id}": ${message}`);
      }
    });
    rule.when?.purpose?.forEach((purpose, i) => {
      if (!(purpose in document.purposes)) at(['rules', r, 'when', 'purpose', i], `rule "${rule.id}": unknown purpose "${purpose}"`);
    });
    if (rule.effect === 'deny' && rule.when?.consent) {
      at(['rules', r, 'when', 'consent'], `rule "${rule.id}": a deny rule cannot depend on consent (consent can only widen access)`);
    }
  });

  const roles = new Map<string, string>();
  for (const [name, audience] of Object.entries(document.audiences)) {
    audience.roles.forEach((role, i) => {
      const owner = roles.get(role);
      if (owner) at(['audiences', name, 'roles', i], `role "${role}" is in audiences "${owner}" and "${name}"; a role must map to one audience`);
      roles.set(role, name);
    });
  }

  for (const field of fields.values()) {
    if (!field.className) {
      problems.push({ line: 0, column: 0, field: field.coordinate, message: `field ${field.coordinate} has no @classification in the schema` });
    } else if (!(field.className in document.classes)) {
      problems.push({ line: 0, column: 0, field: field.coordinate, message: `field ${field.coordinate} is classified "${field.className}", which the policy does not define` });
    }
  }
  return problems;
}
