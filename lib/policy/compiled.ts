import { checkPolicy } from './check';
import { PolicyError, type ParsedPolicy } from './load';
import {
  DEFAULT_DENY,
  type DataCondition,
  type Decision,
  type FieldClassification,
  type PolicyDocument,
  type RuleDefinition,
} from './model';

/** What the policy needs to know about a caller to decide. */
export interface Caller {
  audience: string | null;
  purpose?: string;
  organisation: string;
}

/** Facts about the data subject that data-dependent conditions are decided on. */
export interface SubjectFacts {
  /** The person consented to share the medical dossier with the escort. */
  escortConsent: boolean;
}

function dataConditionsOf(rule: RuleDefinition): DataCondition[] {
  return rule.when?.consent ? [`consent:${rule.when.consent}` as DataCondition] : [];
}

function staticConditionsHold(rule: RuleDefinition, caller: Caller): boolean {
  const when = rule.when;
  if (!when) return true;
  if (when.purpose && (!caller.purpose || !when.purpose.includes(caller.purpose))) return false;
  if (when.organisation && !when.organisation.includes(caller.organisation)) return false;
  return true;
}

/**
 * A policy checked against a schema's classified fields and ready to answer decisions.
 * Decisions depend only on (audience, purpose, organisation, field) and are memoised per
 * caller kind, so deciding costs a map lookup on the hot path.
 */
export class CompiledPolicy {
  readonly document: PolicyDocument;
  readonly hash: string;
  readonly version: string;
  readonly onDenied: 'null-field' | 'reject-operation';
  private readonly memo = new Map<string, Map<string, Decision>>();

  constructor(readonly parsed: ParsedPolicy, readonly fields: ReadonlyMap<string, FieldClassification>) {
    this.document = parsed.document;
    this.hash = parsed.hash;
    this.version = parsed.document.version;
    this.onDenied = parsed.document.settings?.onDenied ?? 'null-field';
  }

  /**
   * The audience a caller's roles map to: the first audience, in policy order, that lists
   * one of the roles and whose BIG requirement the caller meets; null when none does.
   */
  audienceFor(roles: readonly string[], bigRegistration: string | undefined): string | null {
    for (const [name, audience] of Object.entries(this.document.audiences)) {
      if (!audience.roles.some((role) => roles.includes(role))) continue;
      if (audience.requireBigRegistration && !bigRegistration) continue;
      return name;
    }
    return null;
  }

  /** True when `purpose` is one the policy defines. */
  knowsPurpose(purpose: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.document.purposes, purpose);
  }

  /** The class of a field, or undefined when the field is unknown or unclassified. */
  classOf(coordinate: string): string | undefined {
    return this.fields.get(coordinate)?.className;
  }

  /** Decides one field for one caller (memoised). Unknown and unclassified fields are denied. */
  decide(caller: Caller, coordinate: string): Decision {
    const key = `${caller.audience ?? ''}\u0000${caller.purpose ?? ''}\u0000${caller.organisation}`;
    let table = this.memo.get(key);
    if (!table) {
      table = new Map();
      this.memo.set(key, table);
    }
    let decision = table.get(coordinate);
    if (!decision) {
      decision = this.decideUncached(caller, coordinate);
      table.set(coordinate, decision);
    }
    return decision;
  }

  private decideUncached(caller: Caller, coordinate: string): Decision {
    const className = this.classOf(coordinate);
    if (!caller.audience || !className) return { effect: 'deny', rule: DEFAULT_DENY };
    const matching = this.document.rules.filter(
      (rule) =>
        rule.audiences.includes(caller.audience!) &&
        ((rule.classes?.includes(className) ?? false) || (rule.fields?.includes(coordinate) ?? false)),
    );
    const deny = matching.find((rule) => rule.effect === 'deny' && staticConditionsHold(rule, caller));
    if (deny) return { effect: 'deny', rule: deny.id };
    const allows = matching.filter((rule) => rule.effect !== 'deny' && staticConditionsHold(rule, caller));
    const unconditional = allows.find((rule) => dataConditionsOf(rule).length === 0);
    if (unconditional) return { effect: 'allow', rule: unconditional.id };
    if (allows.length > 0) {
      const alternatives = allows.map((rule) => ({ rule: rule.id, conditions: dataConditionsOf(rule) }));
      return { effect: 'conditional', rule: alternatives[0]!.rule, conditions: alternatives[0]!.conditions, alternatives };
    }
    return { effect: 'deny', rule: DEFAULT_DENY };
  }

  /**
   * Resolves a conditional decision with facts about the data subject: allowed when all
   * conditions of at least one alternative hold. Allow and deny pass through unchanged.
   */
  resolve(decision: Decision, facts: SubjectFacts): { allowed: boolean; rule: string } {
    if (decision.effect !== 'conditional') return { allowed: decision.effect === 'allow', rule: decision.rule };
    for (const alternative of decision.alternatives) {
      if (alternative.conditions.every((condition) => condition === 'consent:escort' && facts.escortConsent)) {
        return { allowed: true, rule: alternative.rule };
      }
    }
    return { allowed: false, rule: decision.rule };
  }
}

/**
 * Checks a parsed policy against a schema's classifications and compiles it; throws
 * PolicyError listing every problem when it is not fit to enforce.
 */
export function compilePolicy(
  parsed: ParsedPolicy,
  fields: ReadonlyMap<string, FieldClassification>,
  scope: 'supergraph' | 'subgraph' = 'supergraph',
): CompiledPolicy {
  const problems = checkPolicy(parsed, fields, scope);
  if (problems.length > 0) throw new PolicyError(parsed.source, problems);
  return new CompiledPolicy(parsed, fields);
}
