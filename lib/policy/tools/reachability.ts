import type { FieldClassification, PolicyDocument, RuleDefinition } from '../model';
import type { YamlPosition } from './yaml-locator';

/** A reachability problem, located in the policy. */
export interface ReachabilityProblem extends YamlPosition {
  message: string;
}

const isDeny = (rule: RuleDefinition) => rule.effect === 'deny';
const alwaysApplies = (rule: RuleDefinition) => !rule.when || Object.keys(rule.when).length === 0;

/**
 * Finds parts of a policy that can never take effect, with checks that are sound and
 * explainable to a privacy officer:
 * - a class that no field of the supergraph carries (its rules have nothing to act on);
 * - a rule all of whose classes and fields are carried by / present in no field;
 * - an allow rule every (audience, class or field) pair of which is denied by a deny rule
 *   without conditions for that audience (deny wins, so the allow rule never allows).
 * Unknown names are left to checkPolicy; organisation conditions are not judged (the
 * policy does not know which organisations exist).
 */
export function findNeverApplying(
  document: PolicyDocument,
  fields: ReadonlyMap<string, FieldClassification>,
  locate: { key(path: ReadonlyArray<string | number>): YamlPosition; value(path: ReadonlyArray<string | number>): YamlPosition },
): ReachabilityProblem[] {
  const problems: ReachabilityProblem[] = [];
  const carried = new Set<string>();
  for (const field of fields.values()) if (field.className) carried.add(field.className);

  for (const name of Object.keys(document.classes)) {
    if (!carried.has(name)) problems.push({ ...locate.key(['classes', name]), message: `class "${name}" is carried by no field in the supergraph` });
  }

  const denies = document.rules.filter((rule) => isDeny(rule) && alwaysApplies(rule));
  document.rules.forEach((rule, r) => {
    const classes = (rule.classes ?? []).filter((name) => name in document.classes);
    const ruleFields = (rule.fields ?? []).filter((coordinate) => fields.has(coordinate));
    const named = (rule.classes?.length ?? 0) + (rule.fields?.length ?? 0);
    // Only when every name is known: unknown names are reported by checkPolicy already.
    if (classes.length + ruleFields.length !== named) return;
    if (classes.every((name) => !carried.has(name)) && ruleFields.length === 0) {
      problems.push({ ...locate.value(['rules', r]), message: `rule "${rule.id}" can never apply: no field in the supergraph carries ${plural('class', classes)} ${classes.join(', ')}` });
      return;
    }
    if (isDeny(rule)) return;
    const audiences = rule.audiences.filter((audience) => audience in document.audiences);
    if (audiences.length !== rule.audiences.length) return;
    const shadowing = new Set<string>();
    const shadowedBy = (audience: string, target: { className?: string; coordinate?: string }) =>
      denies.find(
        (deny) =>
          deny.audiences.includes(audience) &&
          ((target.className !== undefined && (deny.classes?.includes(target.className) ?? false)) ||
            (target.coordinate !== undefined &&
              ((deny.fields?.includes(target.coordinate) ?? false) || (deny.classes?.includes(fields.get(target.coordinate)?.className ?? '') ?? false)))),
      );
    const allShadowed = audiences.every((audience) =>
      [...classes.map((className) => ({ className })), ...ruleFields.map((coordinate) => ({ coordinate }))].every((target) => {
        const deny = shadowedBy(audience, target);
        if (deny) shadowing.add(deny.id);
        return deny !== undefined;
      }),
    );
    if (allShadowed) {
      const ids = [...shadowing];
      problems.push({
        ...locate.value(['rules', r]),
        message: `rule "${rule.id}" can never apply: deny ${plural('rule', ids)} ${ids.map((id) => `"${id}"`).join(', ')} always ${ids.length === 1 ? 'denies' : 'deny'} what it allows to ${audiences.join(', ')}`,
      });
    }
  });
  return problems;
}

function plural(word: string, items: readonly unknown[]): string {
  if (items.length === 1) return word;
  return word.endsWith('s') ? `${word}es` : `${word}s`;
}
