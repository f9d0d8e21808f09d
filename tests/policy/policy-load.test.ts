import { parse } from 'graphql';
import { readClassifications } from '../../lib/policy/classification';
import { compilePolicy, type Caller } from '../../lib/policy/compiled';
import { parsePolicy, PolicyError, type PolicyProblem } from '../../lib/policy/load';

/**
 * The policy as privacy officers write it: a broken policy is refused with the line at
 * fault and what is wrong there, and a valid one decides as documented in
 * schema/policy.yaml (deny wins, deny by default, purpose, organisation and consent).
 * Unit level: small inline policies and a tiny schema, no stack.
 */

const SDL = /* GraphQL */ `
  directive @classification(class: String!) on FIELD_DEFINITION | OBJECT
  type Query {
    person(id: ID!): Person @classification(class: "identity")
  }
  type Person @classification(class: "identity") {
    id: ID!
    name: String
    diagnosis: String @classification(class: "medical")
    notice: String @classification(class: "notice")
    transport: String @classification(class: "transport")
  }
`;
const FIELDS = readClassifications(parse(SDL));

/** A valid policy for SDL, one line per entry so that line numbers are easy to find. */
const VALID = [
  'version: "test-1"',
  'purposes:',
  '  care: Care by a BIG-registered professional.',
  '  transport: Transport.',
  '  supervision: Supervision.',
  'audiences:',
  '  doctors:',
  '    description: Doctors.',
  '    roles: [doctor, nurse]',
  '    requireBigRegistration: true',
  '  escorts:',
  '    description: Escort nurses.',
  '    roles: [escort]',
  '  officers:',
  '    description: Chain officers.',
  '    roles: [officer, analyst]',
  '  auditors:',
  '    description: Privacy officers.',
  '    roles: [auditor]',
  'classes:',
  '  identity:',
  '    description: Identity.',
  '    sensitivity: personal',
  '  medical:',
  '    description: Medical dossier.',
  '    sensitivity: special-category',
  '  notice:',
  '    description: Health notice.',
  '    sensitivity: personal',
  '  transport:',
  '    description: Transport.',
  '    sensitivity: personal',
  'rules:',
  '  - id: identity-for-all',
  '    description: Everyone who works with the person sees who it is.',
  '    audiences: [doctors, escorts, officers]',
  '    classes: [identity]',
  '  - id: notice-for-all',
  '    description: The health notice for the chain.',
  '    audiences: [doctors, escorts, officers]',
  '    classes: [notice]',
  '  - id: medical-for-care',
  '    description: Doctors read the dossier when providing care.',
  '    audiences: [doctors]',
  '    classes: [medical]',
  '    when:',
  '      purpose: [care]',
  '  - id: medical-for-escort-with-consent',
  '    description: The escort reads the dossier with consent.',
  '    audiences: [escorts]',
  '    classes: [medical]',
  '    when:',
  '      consent: escort',
  '  - id: transport-by-dvo',
  '    description: Only DV&O officers see transport, for a transport.',
  '    audiences: [officers]',
  '    fields: [Person.transport]',
  '    when:',
  '      organisation: [dvo]',
  '      purpose: [transport]',
  '  - id: officers-wrongly-allowed-medical',
  '    description: A mistaken allow that the deny below must override.',
  '    audiences: [officers]',
  '    classes: [medical]',
  '  - id: never-medical-outside-care',
  '    description: Officers and auditors never receive the dossier.',
  '    effect: deny',
  '    audiences: [officers, auditors]',
  '    classes: [medical]',
];

const text = (lines: readonly string[]) => lines.join('\n') + '\n';

/** 1-based line of the first line containing `needle` (asserting there is one). */
function lineOf(lines: readonly string[], needle: string, from = 0): number {
  const index = lines.findIndex((line, i) => i >= from && line.includes(needle));
  if (index < 0) throw new Error(`test policy has no line with ${needle}`);
  return index + 1;
}

/** Replaces the first line containing `needle` with `replacement` (one or more lines). */
function replacing(needle: string, ...replacement: string[]): string[] {
  const index = lineOf(VALID, needle) - 1;
  return [...VALID.slice(0, index), ...replacement, ...VALID.slice(index + 1)];
}

/** The problems a policy text is refused with, by parsing and then checking it against SDL. */
function problemsOf(lines: readonly string[]): PolicyProblem[] {
  try {
    compilePolicy(parsePolicy(text(lines), 'test-policy.yaml'), FIELDS);
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return (error as PolicyError).problems;
  }
  throw new Error('the policy was accepted');
}

describe('parsing and checking a policy', () => {
  it('accepts the valid test policy', () => {
    const policy = compilePolicy(parsePolicy(text(VALID), 'test-policy.yaml'), FIELDS);
    expect(policy.version).toBe('test-1');
    expect(policy.hash).toMatch(/^[0-9a-f]{16}$/);
    expect(policy.onDenied).toBe('null-field');
  });

  it('reports an unknown top-level key on its line', () => {
    const lines = [...VALID, 'colour: blue'];
    const problems = problemsOf(lines);
    expect(problems).toEqual([expect.objectContaining({ line: lineOf(lines, 'colour: blue'), message: expect.stringContaining('unknown key "colour"') })]);
  });

  it('reports an unknown key inside a rule on its line, naming the rule', () => {
    const lines = replacing('effect: deny', '    efect: deny');
    const problems = problemsOf(lines);
    expect(problems).toEqual([expect.objectContaining({ line: lineOf(lines, 'efect: deny'), message: 'rules.6: unknown key "efect"' })]);
  });

  it('reports an unknown key inside an audience on its line', () => {
    const lines = replacing('requireBigRegistration: true', '    requireBigRegistration: true', '    colour: red');
    const problems = problemsOf(lines);
    expect(problems).toEqual([expect.objectContaining({ line: lineOf(lines, 'colour: red'), message: 'audiences.doctors: unknown key "colour"' })]);
  });

  it('reports an invalid enum value on its line', () => {
    const lines = replacing('sensitivity: special-category', '    sensitivity: secret');
    const problems = problemsOf(lines);
    expect(problems).toEqual([
      expect.objectContaining({ line: lineOf(lines, 'sensitivity: secret'), message: 'classes.medical.sensitivity: must be one of none, personal, special-category' }),
    ]);
  });

  it('reports a YAML syntax error on its line', () => {
    const lines = replacing('  officers:', '  officers', '    description: Chain officers.');
    const problems = problemsOf(lines);
    expect(problems.length).toBeGreaterThan(0);
    const badLine = lineOf(lines, '  officers');
    expect(problems[0]!.line).toBeGreaterThanOrEqual(badLine);
    expect(problems[0]!.line).toBeLessThanOrEqual(badLine + 1);
  });

  it('reports a duplicate key on its line', () => {
    const lines = replacing('  transport: Transport.', '  transport: Transport.', '  transport: Again.');
    const problems = problemsOf(lines);
    expect(problems).toEqual([expect.objectContaining({ line: lineOf(lines, '  transport: Again.'), message: expect.stringMatching(/unique/i) })]);
  });

  it('reports an unknown class in a rule on its line', () => {
    const lines = replacing('    classes: [notice]', '    classes: [notice, medicl]');
    const problems = problemsOf(lines);
    expect(problems).toEqual([
      expect.objectContaining({ line: lineOf(lines, 'classes: [notice, medicl]'), message: 'rule "notice-for-all": unknown class "medicl"' }),
    ]);
  });

  it('reports an unknown audience in a rule on its line', () => {
    const lines = replacing('    audiences: [doctors]', '    audiences: [doctors, surgeons]');
    const problems = problemsOf(lines);
    expect(problems).toEqual([
      expect.objectContaining({ line: lineOf(lines, 'audiences: [doctors, surgeons]'), message: 'rule "medical-for-care": unknown audience "surgeons"' }),
    ]);
  });

  it('reports an unknown purpose in a condition on its line', () => {
    const lines = replacing('      purpose: [care]', '      purpose: [care, curiosity]');
    const problems = problemsOf(lines);
    expect(problems).toEqual([
      expect.objectContaining({ line: lineOf(lines, 'purpose: [care, curiosity]'), message: 'rule "medical-for-care": unknown purpose "curiosity"' }),
    ]);
  });

  it('reports a role in two audiences on the line of the second', () => {
    const lines = replacing('    roles: [officer, analyst]', '    roles: [officer, analyst, nurse]');
    const problems = problemsOf(lines);
    expect(problems).toEqual([
      expect.objectContaining({
        line: lineOf(lines, 'roles: [officer, analyst, nurse]'),
        message: 'role "nurse" is in audiences "doctors" and "officers"; a role must map to one audience',
      }),
    ]);
  });

  it('reports an unknown field named by a rule on its line', () => {
    const lines = replacing('    fields: [Person.transport]', '    fields: [Person.shoeSize]');
    const problems = problemsOf(lines);
    expect(problems).toEqual([expect.objectContaining({ line: lineOf(lines, 'fields: [Person.shoeSize]'), message: expect.stringContaining('"Person.shoeSize"') })]);
  });

  it('refuses a deny rule that depends on consent', () => {
    const lines = [...VALID, '    when:', '      consent: escort'];
    const problems = problemsOf(lines);
    expect(problems).toEqual([
      expect.objectContaining({ line: lineOf(lines, 'consent: escort', lineOf(VALID, 'never-medical-outside-care')), message: expect.stringContaining('cannot depend on consent') }),
    ]);
  });

  it('reports a field the schema leaves unclassified, and one with a class the policy does not define', () => {
    const sdl = SDL.replace('    notice: String', '    shoeSize: Int\n    bloodType: String @classification(class: "biometric")\n    notice: String').replace(
      'type Person @classification(class: "identity")',
      'type Person',
    ).replace('id: ID!\n    name: String', 'id: ID! @classification(class: "identity")\n    name: String @classification(class: "identity")');
    try {
      compilePolicy(parsePolicy(text(VALID), 'test-policy.yaml'), readClassifications(parse(sdl)));
      throw new Error('the policy was accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(PolicyError);
      const messages = (error as PolicyError).problems.map((p) => p.message).sort();
      expect(messages).toEqual([
        'field Person.bloodType is classified "biometric", which the policy does not define',
        'field Person.shoeSize has no @classification in the schema',
      ]);
    }
  });

  it('names the source, line and column in the error message', () => {
    const lines = replacing('    classes: [notice]', '    classes: [notice, medicl]');
    try {
      compilePolicy(parsePolicy(text(lines), 'test-policy.yaml'), FIELDS);
      throw new Error('the policy was accepted');
    } catch (error) {
      expect((error as Error).message).toContain(`test-policy.yaml:${lineOf(lines, 'medicl')}:`);
      expect((error as Error).message).toContain('unknown class "medicl"');
    }
  });

  it('reports every problem at once', () => {
    let lines = replacing('    classes: [notice]', '    classes: [notice, medicl]');
    const index = lineOf(lines, '      purpose: [care]') - 1;
    lines = [...lines.slice(0, index), '      purpose: [curiosity]', ...lines.slice(index + 1)];
    const problems = problemsOf(lines);
    expect(problems.map((p) => p.line).sort((a, b) => a - b)).toEqual([lineOf(lines, 'medicl'), lineOf(lines, 'curiosity')].sort((a, b) => a - b));
  });
});

describe('deciding with a compiled policy', () => {
  const policy = compilePolicy(parsePolicy(text(VALID), 'test-policy.yaml'), FIELDS);
  const doctor: Caller = { audience: 'doctors', purpose: 'care', organisation: 'medical' };
  const officer: Caller = { audience: 'officers', purpose: 'transport', organisation: 'dvo' };
  const escort: Caller = { audience: 'escorts', purpose: 'transport', organisation: 'medex' };

  it('maps roles to audiences, requiring BIG where the audience says so', () => {
    expect(policy.audienceFor(['doctor'], '19012345601')).toBe('doctors');
    expect(policy.audienceFor(['doctor'], undefined)).toBeNull();
    expect(policy.audienceFor(['analyst'], undefined)).toBe('officers');
    expect(policy.audienceFor(['canteen'], undefined)).toBeNull();
  });

  it('lets a deny rule override an allow rule', () => {
    // officers-wrongly-allowed-medical allows, never-medical-outside-care denies: deny wins.
    expect(policy.decide(officer, 'Person.diagnosis')).toEqual({ effect: 'deny', rule: 'never-medical-outside-care' });
    expect(policy.decide({ ...officer, purpose: undefined }, 'Person.diagnosis')).toEqual({ effect: 'deny', rule: 'never-medical-outside-care' });
    // Without the deny rule, the same allow would let the officer read it.
    const withoutDeny = VALID.slice(0, lineOf(VALID, 'never-medical-outside-care') - 1);
    const lenient = compilePolicy(parsePolicy(text(withoutDeny), 'lenient.yaml'), FIELDS);
    expect(lenient.decide(officer, 'Person.diagnosis')).toEqual({ effect: 'allow', rule: 'officers-wrongly-allowed-medical' });
  });

  it('denies by default: no rule, no audience, unknown field', () => {
    expect(policy.decide({ audience: 'auditors', purpose: 'supervision', organisation: 'dtv' }, 'Person.name')).toEqual({ effect: 'deny', rule: 'default-deny' });
    expect(policy.decide({ audience: null, purpose: 'care', organisation: 'medical' }, 'Person.name')).toEqual({ effect: 'deny', rule: 'default-deny' });
    expect(policy.decide(doctor, 'Person.shoeSize')).toEqual({ effect: 'deny', rule: 'default-deny' });
    expect(policy.decide(doctor, 'Person.transport')).toEqual({ effect: 'deny', rule: 'default-deny' });
    expect(policy.decide(doctor, 'Person.name')).toEqual({ effect: 'allow', rule: 'identity-for-all' });
  });

  it('applies a purpose condition', () => {
    expect(policy.decide(doctor, 'Person.diagnosis')).toEqual({ effect: 'allow', rule: 'medical-for-care' });
    expect(policy.decide({ ...doctor, purpose: 'supervision' }, 'Person.diagnosis')).toEqual({ effect: 'deny', rule: 'default-deny' });
    expect(policy.decide({ ...doctor, purpose: undefined }, 'Person.diagnosis')).toEqual({ effect: 'deny', rule: 'default-deny' });
  });

  it('applies an organisation condition (together with the purpose it is paired with)', () => {
    expect(policy.decide(officer, 'Person.transport')).toEqual({ effect: 'allow', rule: 'transport-by-dvo' });
    expect(policy.decide({ ...officer, organisation: 'dji' }, 'Person.transport')).toEqual({ effect: 'deny', rule: 'default-deny' });
    expect(policy.decide({ ...officer, purpose: 'supervision' }, 'Person.transport')).toEqual({ effect: 'deny', rule: 'default-deny' });
  });

  it('makes a consent condition conditional, resolved per person', () => {
    const decision = policy.decide(escort, 'Person.diagnosis');
    expect(decision).toEqual({
      effect: 'conditional',
      rule: 'medical-for-escort-with-consent',
      conditions: ['consent:escort'],
      alternatives: [{ rule: 'medical-for-escort-with-consent', conditions: ['consent:escort'] }],
    });
    expect(policy.resolve(decision, { escortConsent: true })).toEqual({ allowed: true, rule: 'medical-for-escort-with-consent' });
    expect(policy.resolve(decision, { escortConsent: false })).toEqual({ allowed: false, rule: 'medical-for-escort-with-consent' });
    // Allow and deny pass through resolve unchanged, whatever the facts.
    expect(policy.resolve(policy.decide(escort, 'Person.notice'), { escortConsent: false })).toEqual({ allowed: true, rule: 'notice-for-all' });
    expect(policy.resolve(policy.decide(officer, 'Person.diagnosis'), { escortConsent: true })).toEqual({ allowed: false, rule: 'never-medical-outside-care' });
  });

  it('prefers an unconditional allow over a conditional one', () => {
    const lines = [...VALID.slice(0, lineOf(VALID, 'officers-wrongly-allowed-medical') - 1), '  - id: escorts-always', '    description: Escorts always.', '    audiences: [escorts]', '    classes: [medical]'];
    const widened = compilePolicy(parsePolicy(text(lines), 'widened.yaml'), FIELDS);
    expect(widened.decide(escort, 'Person.diagnosis')).toEqual({ effect: 'allow', rule: 'escorts-always' });
  });

  it('memoises per caller kind without mixing callers', () => {
    for (let i = 0; i < 3; i++) {
      expect(policy.decide(doctor, 'Person.diagnosis').effect).toBe('allow');
      expect(policy.decide({ ...doctor, purpose: 'transport' }, 'Person.diagnosis').effect).toBe('deny');
      expect(policy.decide(officer, 'Person.diagnosis').effect).toBe('deny');
    }
  });
});
