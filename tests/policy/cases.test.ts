import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { fromRoot } from '../../lib/paths';
import { FIXTURE_POLICY, FIXTURE_SUPERGRAPH, policyHash, realPolicy, runPolicy, tempFolder } from './cli-helper';

const temp = tempFolder('policy-cases-');
afterAll(() => temp.remove());

const FIXTURE = ['--policy', FIXTURE_POLICY, '--supergraph', FIXTURE_SUPERGRAPH];

/** Cases for the fixture policy: three hold, two do not, one names an unknown field. */
const CASES = `# expectation cases for tests/policy/fixtures/policy.yaml
cases:
  - name: the doctor reads the dossier for care
    role: medical-doctor
    field: Person.medicalDossier
    purpose: medical-care
    expect: allow
  - name: the escort nurse needs consent
    role: escort-nurse
    field: MedicalDossier.medication
    expect: conditional
  - audience: chain-officer
    field: Person.medicalDossier
    consent: escort
    expect: deny
  - name: wrongly expects the escort nurse to read without consent
    role: escort-nurse
    field: Person.medicalDossier
    purpose: departure
    consent: none
    expect: allow
  - role: return-officer
    field: Person.riskNote
    purpose: transport
    organisation: dtv
    expect: allow
  - name: a misspelt field
    role: privacy-officer
    field: Person.nam
    expect: deny
`;

describe('npm run policy -- test', () => {
  it('meets every expectation of the privacy officers in schema/policy-tests.yaml', () => {
    const cases = parseYaml(readFileSync(fromRoot('schema', 'policy-tests.yaml'), 'utf8')).cases as unknown[];
    const run = runPolicy('test');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.lines).toEqual([`${cases.length} cases, all as expected (policy ${realPolicy().version}, hash ${policyHash('schema/policy.yaml')})`]);
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  it('covers every audience of the policy, consent, purpose and deny-overrides', () => {
    const cases = parseYaml(readFileSync(fromRoot('schema', 'policy-tests.yaml'), 'utf8')).cases as Array<Record<string, string>>;
    const audiences = realPolicy().audiences as Record<string, { roles: string[] }>;
    const audienceOf = (c: Record<string, string>) => c.audience ?? Object.keys(audiences).find((name) => audiences[name]!.roles.includes(c.role!));
    expect(new Set(cases.map(audienceOf))).toEqual(new Set(Object.keys(audiences)));
    expect(cases.filter((c) => c.consent === 'escort' && c.expect === 'allow').length).toBeGreaterThan(0);
    expect(cases.filter((c) => c.consent === 'none' && c.expect === 'deny').length).toBeGreaterThan(0);
    expect(cases.filter((c) => c.expect === 'conditional').length).toBeGreaterThan(0);
    expect(cases.filter((c) => c.consent === 'escort' && c.expect === 'deny').length).toBeGreaterThan(0);
  });

  it('prints each mismatch and each case it cannot decide at its line, and exits 1', () => {
    const file = temp.write('cases.yaml', CASES);
    const run = runPolicy('test', ...FIXTURE, '--cases', file);
    expect(run.code).toBe(1);
    expect(run.lines).toEqual([
      `${file}:16:5: mismatch: case "wrongly expects the escort nurse to read without consent" (role escort-nurse, Person.medicalDossier, purpose departure, consent none): expected allow, got deny (rule dossier-with-consent)`,
      `${file}:22:5: mismatch: case 5 (role return-officer, Person.riskNote, purpose transport, organisation dtv): expected allow, got deny (rule default-deny)`,
      `${file}:29:12: error: case "a misspelt field": unknown field "Person.nam" in tests/policy/fixtures/supergraph.graphql`,
      '6 cases, 3 not as expected',
    ]);
  });

  it('refuses a cases file that does not follow schema/policy-tests.schema.json', () => {
    const file = temp.write('bad-cases.yaml', 'cases:\n  - role: medical-doctor\n    audience: medical-professional\n    field: Person.name\n    expect: yes\n  - field: Person\n    expect: deny\n    role: x\n    purpose: Care\n');
    const run = runPolicy('test', ...FIXTURE, '--cases', file);
    expect(run.code).toBe(1);
    expect(run.lines).toEqual([
      `${file}:2:5: error: cases.0: a case names either "role" or "audience"`,
      `${file}:5:13: error: cases.0.expect: must be one of allow, deny, conditional`,
      `${file}:6:12: error: cases.1.field: must match pattern "^[A-Za-z_][A-Za-z0-9_]*\\.[A-Za-z_][A-Za-z0-9_]*$"`,
      `${file}:9:14: error: cases.1.purpose: must match pattern "^[a-z][a-z0-9-]*$"`,
    ]);
  });

  it('refuses to run the cases against a broken policy', () => {
    const policy = temp.write('broken.yaml', readFileSync(fromRoot(FIXTURE_POLICY), 'utf8').replace('      purpose: [medical-care, departure]', '      purpose: [medical-care, repatriation]'));
    const run = runPolicy('test', '--policy', policy, '--supergraph', FIXTURE_SUPERGRAPH, '--cases', temp.write('ok.yaml', CASES));
    expect(run).toMatchObject({ code: 1, lines: [`${policy}:63:31: error: rule "dossier-for-care": unknown purpose "repatriation"`] });
  });
});
