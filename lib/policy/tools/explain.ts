import type { CompiledPolicy } from '../compiled';
import { DEFAULT_DENY, type RuleDefinition } from '../model';
import { accessCell } from './access';
import { LookupError } from './problems';
import type { SupergraphInfo } from './supergraph';

/** The question `policy explain` answers. */
export interface ExplainRequest {
  role?: string;
  audience?: string;
  field: string;
  purpose?: string;
  organisation?: string;
  /** `escort`: the person consented to share the dossier with the escort; `none`: not; absent: unknown. */
  consent?: 'escort' | 'none';
  /** Whether the caller has a BIG registration (default true). */
  bigRegistration?: boolean;
}

/** The audience a role maps to, and why none when it maps to none. */
export function audienceForRole(policy: CompiledPolicy, role: string, bigRegistration: boolean): { audience: string | null; reason?: string } {
  const audience = policy.audienceFor([role], bigRegistration ? 'BIG' : undefined);
  if (audience) return { audience };
  const listing = Object.entries(policy.document.audiences).find(([, definition]) => definition.roles.includes(role));
  if (listing) return { audience: null, reason: `audience ${listing[0]} requires a BIG registration` };
  const roles = Object.values(policy.document.audiences).flatMap((definition) => definition.roles);
  throw new LookupError(`unknown role "${role}": the policy's roles are ${roles.join(', ')}`);
}

function list(items: readonly string[]): string {
  return items.join(', ');
}

/** Why a rule that covers the field does or does not apply to this request; null when it applies. */
function whyNot(rule: RuleDefinition, audience: string | null, request: ExplainRequest): string | null {
  if (!audience || !rule.audiences.includes(audience)) return `not for ${audience ?? 'callers without an audience'} (it names ${list(rule.audiences)})`;
  const when = rule.when;
  if (when?.purpose && !request.purpose) return `needs purpose ${list(when.purpose)}; the request states none`;
  if (when?.purpose && !when.purpose.includes(request.purpose!)) return `needs purpose ${list(when.purpose)}; the request's is ${request.purpose}`;
  if (when?.organisation && !request.organisation) return `needs organisation ${list(when.organisation)}; none given`;
  if (when?.organisation && !when.organisation.includes(request.organisation!)) return `needs organisation ${list(when.organisation)}; the caller's is ${request.organisation}`;
  return null;
}

/**
 * `npm run policy -- explain`: which audience a role maps to, the decision for one field and
 * request, the rule that made it, and for every other rule covering the field why it did
 * not decide. Ends with the decision over all purposes and organisations (the matrix cell).
 */
export function explain(policy: CompiledPolicy, supergraph: SupergraphInfo, request: ExplainRequest): string[] {
  const document = policy.document;
  const field = supergraph.fields.get(request.field);
  if (!field) {
    const typeName = request.field.split('.')[0] ?? '';
    const known = [...supergraph.fields.values()].some((f) => f.typeName === typeName);
    throw new LookupError(known ? `unknown field "${request.field}" in ${supergraph.file}` : `unknown type "${typeName}" in ${supergraph.file}`);
  }
  if (request.purpose !== undefined && !policy.knowsPurpose(request.purpose)) {
    throw new LookupError(`unknown purpose "${request.purpose}": the policy's purposes are ${list(Object.keys(document.purposes))}`);
  }
  const lines: string[] = [];
  let audience: string | null;
  if (request.role !== undefined) {
    const mapped = audienceForRole(policy, request.role, request.bigRegistration ?? true);
    audience = mapped.audience;
    lines.push(`role:         ${request.role} -> ${audience ? `audience ${audience}` : `no audience (${mapped.reason})`}`);
  } else {
    audience = request.audience ?? null;
    if (!audience || !(audience in document.audiences)) {
      throw new LookupError(`unknown audience "${request.audience}": the policy's audiences are ${list(Object.keys(document.audiences))}`);
    }
    lines.push(`audience:     ${audience}`);
  }
  const className = field.className;
  const classDefinition = className ? document.classes[className] : undefined;
  const owner = supergraph.ownership.get(field.coordinate);
  const classText = className ? `class ${className}${classDefinition ? `, ${classDefinition.sensitivity}` : ', not defined by the policy'}` : 'unclassified';
  lines.push(`field:        ${field.coordinate} (${classText}; partner ${owner ? (owner.partners.length > 1 ? `shared: ${list(owner.partners)}` : owner.partner) : 'unknown'})`);
  const requestParts = [
    request.purpose ? `purpose ${request.purpose}` : 'no purpose stated',
    request.organisation ? `organisation ${request.organisation}` : 'no organisation given',
    ...(request.consent ? [request.consent === 'escort' ? 'consent escort given' : 'no escort consent'] : []),
  ];
  lines.push(`request:      ${requestParts.join(', ')}`);

  const decision = policy.decide({ audience, purpose: request.purpose, organisation: request.organisation ?? '' }, field.coordinate);
  let verdict: string;
  if (decision.effect === 'allow') verdict = `allowed by rule ${decision.rule}`;
  else if (decision.effect === 'deny') {
    verdict = decision.rule === DEFAULT_DENY ? (className ? 'denied by default: no rule allows it' : 'denied by default: the field is unclassified') : `denied by rule ${decision.rule}`;
  } else {
    const requirement = [...new Set(decision.alternatives.map((a) => a.conditions.map((c) => c.replace(':', ': ')).join('; ')))].join(' or ');
    const rules = [...new Set(decision.alternatives.map((a) => a.rule))].join(', ');
    if (request.consent === undefined) verdict = `conditional: allowed only where ${requirement} holds for the person (rule ${rules}); denied otherwise`;
    else {
      const outcome = policy.resolve(decision, { escortConsent: request.consent === 'escort' });
      verdict = outcome.allowed ? `allowed by rule ${outcome.rule} (${requirement} holds)` : `denied: ${requirement} does not hold (rule ${rules})`;
    }
  }
  lines.push(`decision:     ${verdict}`);

  const covering = document.rules.filter(
    (rule) => (className !== undefined && (rule.classes?.includes(className) ?? false)) || (rule.fields?.includes(field.coordinate) ?? false),
  );
  lines.push('', `rules covering ${field.coordinate}${className ? ` (class ${className})` : ''}:`);
  if (covering.length === 0) lines.push('  none');
  const applyingDeny = covering.find((rule) => rule.effect === 'deny' && whyNot(rule, audience, request) === null);
  for (const rule of covering) {
    const effect = rule.effect ?? 'allow';
    const via = rule.fields?.includes(field.coordinate) ? `field ${field.coordinate}` : `class ${className}`;
    const reason = whyNot(rule, audience, request);
    let status: string;
    if (reason) status = `does not apply: ${reason}`;
    else if (effect === 'deny') status = rule === applyingDeny ? 'applies: denies (deny wins over allow)' : `applies, but deny rule ${applyingDeny!.id} comes first`;
    else if (applyingDeny) status = `would allow, but deny rule ${applyingDeny.id} wins`;
    else if (rule.when?.consent) status = `applies only where the person gave consent: ${rule.when.consent}`;
    else status = decision.effect === 'allow' && decision.rule === rule.id ? 'applies: allows' : `applies: allows (rule ${decision.rule} comes first)`;
    lines.push(`  ${rule.id} (${effect}, via ${via}): ${status}`);
  }
  const others = document.rules.length - covering.length;
  if (others > 0) lines.push(`  (${others} other ${others === 1 ? 'rule does' : 'rules do'} not cover this field)`);
  lines.push('', `over all purposes and organisations, ${audience ?? 'this caller'} gets: ${accessCell(policy, audience, field.coordinate).text}`);
  return lines;
}
