import { readFileSync } from 'node:fs';
import { FIXTURE_POLICY, FIXTURE_SUPERGRAPH, realPolicy, runPolicy, tempFolder } from './cli-helper';

const temp = tempFolder('policy-explain-');
afterAll(() => temp.remove());

const FIXTURE = ['--policy', FIXTURE_POLICY, '--supergraph', FIXTURE_SUPERGRAPH];

describe('npm run policy -- explain', () => {
  it('explains why a transport officer never gets the medical dossier (real policy)', () => {
    const others = realPolicy().rules.filter((rule) => !rule.classes?.includes('medical-dossier') && !rule.fields?.includes('Person.medicalDossier')).length;
    const run = runPolicy('explain', '--role', 'transport-officer', '--field', 'Person.medicalDossier', '--purpose', 'transport', '--org', 'dvo');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.lines).toEqual([
      'role:         transport-officer -> audience chain-officer',
      'field:        Person.medicalDossier (class medical-dossier, special-category; partner medical)',
      'request:      purpose transport, organisation dvo',
      'decision:     denied by rule never-dossier-outside-care',
      '',
      'rules covering Person.medicalDossier (class medical-dossier):',
      '  dossier-for-care (allow, via class medical-dossier): does not apply: not for chain-officer (it names medical-professional)',
      '  dossier-for-escort-with-consent (allow, via class medical-dossier): does not apply: not for chain-officer (it names escort-nurse)',
      '  never-dossier-outside-care (deny, via class medical-dossier): applies: denies (deny wins over allow)',
      `  (${others} other rules do not cover this field)`,
      '',
      'over all purposes and organisations, chain-officer gets: denied (never-dossier-outside-care)',
    ]);
  });

  it('explains the escort nurse and consent (real policy)', () => {
    const decision = (...consent: string[]) =>
      runPolicy('explain', '--role', 'escort-nurse', '--field', 'Person.medicalDossier', '--purpose', 'departure', ...consent).lines.find((line) => line.startsWith('decision:'));
    expect(decision()).toBe(
      'decision:     conditional: allowed only where consent: escort holds for the person (rule dossier-for-escort-with-consent); denied otherwise',
    );
    expect(decision('--consent', 'escort')).toBe('decision:     allowed by rule dossier-for-escort-with-consent (consent: escort holds)');
    expect(decision('--consent', 'none')).toBe('decision:     denied: consent: escort does not hold (rule dossier-for-escort-with-consent)');
    const run = runPolicy('explain', '--role', 'escort-nurse', '--field', 'Person.medicalDossier');
    expect(run.lines).toContain('  dossier-for-escort-with-consent (allow, via class medical-dossier): applies only where the person gave consent: escort');
    expect(run.lines[run.lines.length - 1]).toBe('over all purposes and organisations, escort-nurse gets: conditional (consent: escort)');
  });

  it('explains a purpose that does not serve the rule (real policy)', () => {
    const run = runPolicy('explain', '--role', 'detention-officer', '--field', 'TransportOrder.classification', '--purpose', 'detention', '--org', 'dji');
    expect(run.lines.slice(0, 4)).toEqual([
      'role:         detention-officer -> audience chain-officer',
      'field:        TransportOrder.classification (class risk-assessment, personal; partner dvo)',
      'request:      purpose detention, organisation dji',
      'decision:     denied by default: no rule allows it',
    ]);
    expect(run.lines).toContain('  risk-assessment-for-transport (allow, via class risk-assessment): does not apply: needs purpose transport, departure; the request\'s is detention');
    expect(run.lines[run.lines.length - 1]).toBe('over all purposes and organisations, chain-officer gets: conditional (purpose: transport, departure)');
  });

  it('explains an organisation condition, on the fixture policy', () => {
    const run = runPolicy('explain', ...FIXTURE, '--role', 'transport-officer', '--field', 'Person.riskNote', '--purpose', 'transport', '--org', 'dji');
    expect(run.code).toBe(0);
    expect(run.lines).toEqual([
      'role:         transport-officer -> audience chain-officer',
      'field:        Person.riskNote (class risk-assessment, personal; partner dtv)',
      'request:      purpose transport, organisation dji',
      'decision:     denied by default: no rule allows it',
      '',
      'rules covering Person.riskNote (class risk-assessment):',
      '  risk-for-dvo-transport (allow, via class risk-assessment): does not apply: needs organisation dvo; the caller\'s is dji',
      '  (5 other rules do not cover this field)',
      '',
      'over all purposes and organisations, chain-officer gets: conditional (purpose: transport, departure; organisation: dvo)',
    ]);
  });

  it('explains an allowed field by audience, and a caller without the BIG registration its audience needs', () => {
    const allowed = runPolicy('explain', ...FIXTURE, '--audience', 'medical-professional', '--field', 'MedicalDossier.conditions', '--purpose', 'departure');
    expect(allowed.lines).toEqual([
      'audience:     medical-professional',
      'field:        MedicalDossier.conditions (class medical-dossier, special-category; partner medical)',
      'request:      purpose departure, no organisation given',
      'decision:     allowed by rule dossier-for-care',
      '',
      'rules covering MedicalDossier.conditions (class medical-dossier):',
      '  dossier-for-care (allow, via class medical-dossier): applies: allows',
      '  dossier-with-consent (allow, via class medical-dossier): does not apply: not for medical-professional (it names escort-nurse)',
      '  never-dossier (deny, via class medical-dossier): does not apply: not for medical-professional (it names chain-officer, privacy-officer)',
      '  (3 other rules do not cover this field)',
      '',
      'over all purposes and organisations, medical-professional gets: conditional (purpose: departure, medical-care)',
    ]);
    const noBig = runPolicy('explain', ...FIXTURE, '--role', 'escort-nurse', '--no-big', '--field', 'Person.vNumber');
    expect(noBig.lines).toEqual([
      'role:         escort-nurse -> no audience (audience escort-nurse requires a BIG registration)',
      'field:        Person.vNumber (class identity, personal; partner shared: dtv, medical)',
      'request:      no purpose stated, no organisation given',
      'decision:     denied by default: no rule allows it',
      '',
      'rules covering Person.vNumber (class identity):',
      '  identity-for-the-chain (allow, via class identity): does not apply: not for callers without an audience (it names medical-professional, escort-nurse, chain-officer)',
      '  (5 other rules do not cover this field)',
      '',
      'over all purposes and organisations, this caller gets: denied (default-deny)',
    ]);
  });

  it('names unknown roles, fields and purposes, and exits 1', () => {
    expect(runPolicy('explain', ...FIXTURE, '--role', 'doctor', '--field', 'Person.name')).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'error: unknown role "doctor": the policy\'s roles are medical-doctor, escort-nurse, transport-officer, return-officer, privacy-officer\n',
    });
    expect(runPolicy('explain', ...FIXTURE, '--role', 'medical-doctor', '--field', 'Person.dossier').stderr).toBe(
      'error: unknown field "Person.dossier" in tests/policy/fixtures/supergraph.graphql\n',
    );
    expect(runPolicy('explain', ...FIXTURE, '--role', 'medical-doctor', '--field', 'Patient.name').stderr).toBe('error: unknown type "Patient" in tests/policy/fixtures/supergraph.graphql\n');
    expect(runPolicy('explain', ...FIXTURE, '--role', 'medical-doctor', '--field', 'Person.name', '--purpose', 'curiosity').stderr).toBe(
      'error: unknown purpose "curiosity": the policy\'s purposes are transport, departure, medical-care\n',
    );
  });

  it('refuses a broken policy with its problems, and a wrong command line with the usage', () => {
    const policy = temp.write('broken.yaml', readFileSync(FIXTURE_POLICY, 'utf8').replace('audiences: [chain-officer, privacy-officer]', 'audiences: [chain-officers, privacy-officer]'));
    expect(runPolicy('explain', '--policy', policy, '--supergraph', FIXTURE_SUPERGRAPH, '--role', 'transport-officer', '--field', 'Person.medicalDossier')).toMatchObject({
      code: 1,
      lines: [`${policy}:75:17: error: rule "never-dossier": unknown audience "chain-officers"`],
    });
    const usage = runPolicy('explain', '--role', 'transport-officer');
    expect(usage.code).toBe(2);
    expect(usage.stderr.split('\n').slice(0, 3)).toEqual(['explain needs --field Type.field', '', 'usage: npm run policy -- <command> [options]']);
  });
});
