import type { CompiledPolicy } from '../compiled';
import { DEFAULT_DENY, type Decision, type PolicyDocument } from '../model';

/** What an audience gets of a field, over every request it can make. */
export type AccessDecision = 'allowed' | 'conditional' | 'denied';

/** One cell of the access matrix: an audience and a field. */
export interface AccessCell {
  decision: AccessDecision;
  /** Allowed/conditional: the rules that grant access; denied: the rules that deny (or `default-deny`). */
  rules: string[];
  /** For conditional: when access is granted, e.g. `purpose: transport, departure` or `consent: escort`. */
  condition?: string;
  /** One line for people: `allowed`, `conditional (purpose: transport, departure)`, `denied (never-dossier-outside-care)`. */
  text: string;
}

/** Stands for every organisation that no rule names. */
const OTHER_ORGANISATION = '\u0000other';

/** A request as far as the policy can tell requests apart: stated purpose (or none) and organisation. */
export interface RequestContext {
  purpose: string | undefined;
  organisation: string;
}

/** Organisations that rules name in `when.organisation`, in order of first mention. */
export function namedOrganisations(document: PolicyDocument): string[] {
  return [...new Set(document.rules.flatMap((rule) => rule.when?.organisation ?? []))];
}

/**
 * Every kind of request the policy can distinguish: no purpose or each defined purpose,
 * times each organisation a rule names or any other organisation. Deciding a field for all
 * of them tells whether access depends on the request.
 */
export function requestContexts(document: PolicyDocument): RequestContext[] {
  const purposes: Array<string | undefined> = [undefined, ...Object.keys(document.purposes)];
  const organisations = [...namedOrganisations(document), OTHER_ORGANISATION];
  return purposes.flatMap((purpose) => organisations.map((organisation) => ({ purpose, organisation })));
}

/** `consent: escort` for each alternative of a conditional decision, deduplicated. */
function requirementOf(decision: Extract<Decision, { effect: 'conditional' }>): string {
  const texts = decision.alternatives.map((alternative) => alternative.conditions.map((c) => c.replace(':', ': ')).join('; '));
  return [...new Set(texts)].join(' or ');
}

/**
 * Decides one field for one audience over every request context and summarises it:
 * allowed in every context; denied in every context; otherwise conditional, with the
 * condition stated in terms of purpose, organisation and consent.
 */
export function accessCell(policy: CompiledPolicy, audience: string | null, coordinate: string): AccessCell {
  const document = policy.document;
  const contexts = requestContexts(document);
  const grants = new Map<string, RequestContext[]>();
  const allowRules = new Set<string>();
  const denyRules = new Set<string>();
  for (const context of contexts) {
    const decision = policy.decide({ audience, purpose: context.purpose, organisation: context.organisation }, coordinate);
    if (decision.effect === 'deny') {
      denyRules.add(decision.rule);
      continue;
    }
    let requirement = '';
    if (decision.effect === 'allow') allowRules.add(decision.rule);
    else {
      decision.alternatives.forEach((alternative) => allowRules.add(alternative.rule));
      requirement = requirementOf(decision);
    }
    grants.set(requirement, [...(grants.get(requirement) ?? []), context]);
  }
  const ordered = (rules: Set<string>) =>
    [...rules].sort((a, b) => rank(document, a) - rank(document, b));
  if (grants.size === 0) {
    const rules = ordered(denyRules);
    return { decision: 'denied', rules, text: `denied (${rules.join(', ')})` };
  }
  if (grants.size === 1 && grants.get('')?.length === contexts.length) {
    return { decision: 'allowed', rules: ordered(allowRules), text: 'allowed' };
  }
  const requirements = [...grants.keys()].sort((a, b) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b)));
  const condition = requirements.map((requirement) => describeGrant(document, grants.get(requirement)!, requirement)).join(' or ');
  return { decision: 'conditional', rules: ordered(allowRules), condition, text: `conditional (${condition})` };
}

function rank(document: PolicyDocument, rule: string): number {
  if (rule === DEFAULT_DENY) return Number.MAX_SAFE_INTEGER;
  const index = document.rules.findIndex((r) => r.id === rule);
  return index < 0 ? Number.MAX_SAFE_INTEGER - 1 : index;
}

/** Describes a set of request contexts (plus a data requirement) in policy terms. */
function describeGrant(document: PolicyDocument, granted: RequestContext[], requirement: string): string {
  const allPurposes: Array<string | undefined> = [undefined, ...Object.keys(document.purposes)];
  const allOrganisations = [...namedOrganisations(document), OTHER_ORGANISATION];
  const purposes = allPurposes.filter((p) => granted.some((c) => c.purpose === p));
  const organisations = allOrganisations.filter((o) => granted.some((c) => c.organisation === o));
  const withRequirement = (parts: string[]) => [...parts, ...(requirement ? [requirement] : [])].join('; ');

  if (granted.length === purposes.length * organisations.length) {
    const parts: string[] = [];
    if (purposes.length !== allPurposes.length) parts.push(purposeText(document, purposes));
    if (organisations.length !== allOrganisations.length) parts.push(organisationText(document, organisations));
    return withRequirement(parts);
  }
  // Not a plain product: state the purposes per group of organisations.
  const byPurposes = new Map<string, string[]>();
  for (const organisation of organisations) {
    const own = allPurposes.filter((p) => granted.some((c) => c.organisation === organisation && c.purpose === p));
    const key = own.map((p) => p ?? '').join(',');
    byPurposes.set(key, [...(byPurposes.get(key) ?? []), organisation]);
  }
  return [...byPurposes.entries()]
    .map(([key, orgs]) => {
      const own = allPurposes.filter((p) => key.split(',').includes(p ?? ''));
      const parts = [organisationText(document, orgs)];
      if (own.length !== allPurposes.length) parts.push(purposeText(document, own));
      return withRequirement(parts);
    })
    .join(' or ');
}

function purposeText(document: PolicyDocument, purposes: Array<string | undefined>): string {
  if (purposes.includes(undefined)) {
    const excluded = Object.keys(document.purposes).filter((p) => !purposes.includes(p));
    return `purpose: any but ${excluded.join(', ')}`;
  }
  return `purpose: ${purposes.join(', ')}`;
}

function organisationText(document: PolicyDocument, organisations: string[]): string {
  if (organisations.includes(OTHER_ORGANISATION)) {
    const excluded = namedOrganisations(document).filter((o) => !organisations.includes(o));
    return `organisation: any but ${excluded.join(', ')}`;
  }
  return `organisation: ${organisations.join(', ')}`;
}

/** Every request context either policy can tell apart: the union of their purposes and named organisations. */
export function sharedContexts(a: PolicyDocument, b: PolicyDocument): RequestContext[] {
  const purposes: Array<string | undefined> = [undefined, ...new Set([...Object.keys(a.purposes), ...Object.keys(b.purposes)])];
  const organisations = [...new Set([...namedOrganisations(a), ...namedOrganisations(b)]), OTHER_ORGANISATION];
  return purposes.flatMap((purpose) => organisations.map((organisation) => ({ purpose, organisation })));
}

/**
 * How much a request gets of a field, per context: 0 denied, 1 only where the person
 * consented, 2 allowed. A purpose the policy does not define gets 0 (the gateway refuses
 * such requests).
 */
export function grantLevels(policy: CompiledPolicy, audience: string | null, coordinate: string, contexts: readonly RequestContext[]): number[] {
  return contexts.map((context) => {
    if (context.purpose !== undefined && !policy.knowsPurpose(context.purpose)) return 0;
    const decision = policy.decide({ audience, purpose: context.purpose, organisation: context.organisation }, coordinate);
    return decision.effect === 'allow' ? 2 : decision.effect === 'conditional' ? 1 : 0;
  });
}
