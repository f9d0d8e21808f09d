import { readFileSync } from 'node:fs';
import { FIXTURE_POLICY, FIXTURE_SUPERGRAPH, policyHash, runPolicy, tempFolder } from './cli-helper';

const temp = tempFolder('policy-matrix-');
afterAll(() => temp.remove());

const FIXTURE = ['--policy', FIXTURE_POLICY, '--supergraph', FIXTURE_SUPERGRAPH];

/** The fixture policy with extra rules whose conditions are not a plain purpose list. */
function variantPolicy(): string {
  return `${readFileSync(FIXTURE_POLICY, 'utf8')}
  - id: risk-for-dji-departure
    description: DJI sees risk notes when preparing departure.
    audiences: [chain-officer]
    classes: [risk-assessment]
    when:
      organisation: [dji]
      purpose: [departure]

  - id: no-names-in-transport
    description: No names on transport requests.
    effect: deny
    audiences: [chain-officer]
    fields: [Person.name]
    when:
      purpose: [transport]
`;
}

describe('npm run policy -- matrix', () => {
  const hash = policyHash(FIXTURE_POLICY);

  it('prints the terminal table of every classified field by audience', () => {
    const run = runPolicy('matrix', ...FIXTURE);
    expect(run.code).toBe(0);
    expect(run.lines).toEqual([
      `Access matrix: policy fixture-1 (hash ${hash}) from tests/policy/fixtures/policy.yaml, supergraph tests/policy/fixtures/supergraph.graphql`,
      '',
      'partner  field                      class              medical-professional                            escort-nurse                                                    chain-officer                                                   privacy-officer',
      '-------  -------------------------  -----------------  ----------------------------------------------  --------------------------------------------------------------  --------------------------------------------------------------  ----------------------',
      'dtv      Person.name                identity           allowed                                         allowed                                                         allowed                                                         denied (default-deny)',
      'dtv      Person.riskNote            risk-assessment    denied (default-deny)                           conditional (purpose: transport, departure; organisation: dvo)  conditional (purpose: transport, departure; organisation: dvo)  denied (default-deny)',
      'dtv      Query.person               identity           allowed                                         allowed                                                         allowed                                                         denied (default-deny)',
      'medical  HealthNotice.fitToTravel   health-notice      allowed                                         allowed                                                         allowed                                                         denied (default-deny)',
      'medical  HealthNotice.instruction   health-notice      allowed                                         allowed                                                         allowed                                                         denied (default-deny)',
      'medical  MedicalDossier.conditions  medical-dossier *  conditional (purpose: departure, medical-care)  conditional (consent: escort)                                   denied (never-dossier)                                          denied (never-dossier)',
      'medical  MedicalDossier.medication  medical-dossier *  conditional (purpose: departure, medical-care)  conditional (consent: escort)                                   denied (never-dossier)                                          denied (never-dossier)',
      'medical  Person.healthNotice        health-notice      allowed                                         allowed                                                         allowed                                                         denied (default-deny)',
      'medical  Person.medicalDossier      medical-dossier *  conditional (purpose: departure, medical-care)  conditional (consent: escort)                                   denied (never-dossier)                                          denied (never-dossier)',
      'shared   Person.vNumber             identity           allowed                                         allowed                                                         allowed                                                         denied (default-deny)',
      '',
      '* special-category data',
    ]);
  });

  it('limits the table to the audiences asked for', () => {
    const run = runPolicy('matrix', ...FIXTURE, '--audience', 'chain-officer');
    expect(run.lines.slice(2, 5)).toEqual([
      'partner  field                      class              chain-officer',
      '-------  -------------------------  -----------------  --------------------------------------------------------------',
      'dtv      Person.name                identity           allowed',
    ]);
    expect(run.lines).toContain('medical  Person.medicalDossier      medical-dossier *  denied (never-dossier)');
  });

  it('prints Markdown, a section per partner', () => {
    const run = runPolicy('matrix', ...FIXTURE, '--format', 'markdown');
    expect(run.code).toBe(0);
    expect(run.lines).toEqual([
      '# Access matrix',
      '',
      `Policy \`fixture-1\` (hash \`${hash}\`) from \`tests/policy/fixtures/policy.yaml\`, supergraph \`tests/policy/fixtures/supergraph.graphql\`.`,
      'Fields of special-category classes are marked **special category**.',
      '',
      '| audience | roles |',
      '|---|---|',
      '| medical-professional | medical-doctor |',
      '| escort-nurse | escort-nurse |',
      '| chain-officer | transport-officer, return-officer |',
      '| privacy-officer | privacy-officer |',
      '',
      '## dtv',
      '',
      '| field | class | medical-professional | escort-nurse | chain-officer | privacy-officer |',
      '|---|---|---|---|---|---|',
      '| `Person.name` | identity | allowed | allowed | allowed | denied (default-deny) |',
      '| `Person.riskNote` | risk-assessment | denied (default-deny) | conditional (purpose: transport, departure; organisation: dvo) | conditional (purpose: transport, departure; organisation: dvo) | denied (default-deny) |',
      '| `Query.person` | identity | allowed | allowed | allowed | denied (default-deny) |',
      '',
      '## medical',
      '',
      '| field | class | medical-professional | escort-nurse | chain-officer | privacy-officer |',
      '|---|---|---|---|---|---|',
      '| `HealthNotice.fitToTravel` | health-notice | allowed | allowed | allowed | denied (default-deny) |',
      '| `HealthNotice.instruction` | health-notice | allowed | allowed | allowed | denied (default-deny) |',
      '| `MedicalDossier.conditions` | medical-dossier **special category** | conditional (purpose: departure, medical-care) | conditional (consent: escort) | denied (never-dossier) | denied (never-dossier) |',
      '| `MedicalDossier.medication` | medical-dossier **special category** | conditional (purpose: departure, medical-care) | conditional (consent: escort) | denied (never-dossier) | denied (never-dossier) |',
      '| `Person.healthNotice` | health-notice | allowed | allowed | allowed | denied (default-deny) |',
      '| `Person.medicalDossier` | medical-dossier **special category** | conditional (purpose: departure, medical-care) | conditional (consent: escort) | denied (never-dossier) | denied (never-dossier) |',
      '',
      '## shared',
      '',
      '| field | class | medical-professional | escort-nurse | chain-officer | privacy-officer |',
      '|---|---|---|---|---|---|',
      '| `Person.vNumber` | identity | allowed | allowed | allowed | denied (default-deny) |',
    ]);
  });

  it('prints JSON with the decision, rules and condition of every cell', () => {
    const run = runPolicy('matrix', ...FIXTURE, '--format', 'json');
    expect(run.code).toBe(0);
    const matrix = JSON.parse(run.stdout);
    expect(matrix.policy).toEqual({ file: 'tests/policy/fixtures/policy.yaml', version: 'fixture-1', hash });
    expect(matrix.partners).toEqual(['dtv', 'medical', 'shared']);
    expect(matrix.rows.map((row: { coordinate: string }) => row.coordinate)).toEqual([
      'Person.name',
      'Person.riskNote',
      'Query.person',
      'HealthNotice.fitToTravel',
      'HealthNotice.instruction',
      'MedicalDossier.conditions',
      'MedicalDossier.medication',
      'Person.healthNotice',
      'Person.medicalDossier',
      'Person.vNumber',
    ]);
    expect(matrix.rows.find((row: { coordinate: string }) => row.coordinate === 'Person.medicalDossier')).toEqual({
      coordinate: 'Person.medicalDossier',
      typeName: 'Person',
      fieldName: 'medicalDossier',
      partner: 'medical',
      partners: ['medical'],
      className: 'medical-dossier',
      sensitivity: 'special-category',
      cells: {
        'medical-professional': { decision: 'conditional', rules: ['dossier-for-care'], condition: 'purpose: departure, medical-care', text: 'conditional (purpose: departure, medical-care)' },
        'escort-nurse': { decision: 'conditional', rules: ['dossier-with-consent'], condition: 'consent: escort', text: 'conditional (consent: escort)' },
        'chain-officer': { decision: 'denied', rules: ['never-dossier'], text: 'denied (never-dossier)' },
        'privacy-officer': { decision: 'denied', rules: ['never-dossier'], text: 'denied (never-dossier)' },
      },
    });
    expect(matrix.rows.find((row: { coordinate: string }) => row.coordinate === 'Person.vNumber')).toMatchObject({ partner: 'shared', partners: ['dtv', 'medical'] });
  });

  it('states conditions that combine organisations and purposes, and purposes excluded by a deny rule', () => {
    const policy = temp.write('variant.yaml', variantPolicy());
    const run = runPolicy('matrix', '--policy', policy, '--supergraph', FIXTURE_SUPERGRAPH, '--format', 'json', '--audience', 'chain-officer');
    const cells = Object.fromEntries(JSON.parse(run.stdout).rows.map((row: { coordinate: string; cells: Record<string, unknown> }) => [row.coordinate, row.cells['chain-officer']]));
    expect(cells['Person.riskNote']).toEqual({
      decision: 'conditional',
      rules: ['risk-for-dvo-transport', 'risk-for-dji-departure'],
      condition: 'organisation: dvo; purpose: transport, departure or organisation: dji; purpose: departure',
      text: 'conditional (organisation: dvo; purpose: transport, departure or organisation: dji; purpose: departure)',
    });
    expect(cells['Person.name']).toEqual({
      decision: 'conditional',
      rules: ['identity-for-the-chain'],
      condition: 'purpose: any but transport',
      text: 'conditional (purpose: any but transport)',
    });
  });

  it('writes the matrix to a file with --out', () => {
    const out = `${temp.dir}/matrix.md`;
    const run = runPolicy('matrix', ...FIXTURE, '--format', 'markdown', '--out', out);
    expect(run).toMatchObject({ code: 0, lines: [`wrote ${out} (markdown: 10 fields by 4 audiences)`] });
    expect(readFileSync(out, 'utf8')).toBe(runPolicy('matrix', ...FIXTURE, '--format', 'markdown').stdout);
  });

  it('shows the real policy: the dossier by audience, and conditions by purpose, organisation and consent', () => {
    const markdown = runPolicy('matrix', '--format', 'markdown');
    expect(markdown.code).toBe(0);
    expect(markdown.lines).toEqual(
      expect.arrayContaining([
        '## medical',
        '| `Person.medicalDossier` | medical-dossier **special category** | conditional (purpose: transport, departure, medical-care) | conditional (consent: escort) | denied (never-dossier-outside-care) | denied (never-dossier-outside-care) |',
        '| `Person.escortConsent` | consent **special category** | conditional (purpose: transport, departure, medical-care) | allowed | denied (never-dossier-outside-care) | denied (never-dossier-outside-care) |',
        '| `Person.healthNotice` | health-notice | allowed | allowed | allowed | denied (default-deny) |',
        '| `TransportOrder.classification` | risk-assessment | denied (default-deny) | conditional (purpose: transport, departure) | conditional (purpose: transport, departure) | denied (default-deny) |',
        '| `Mutation.recordRestraintDecision` | restraint-decision | denied (default-deny) | denied (default-deny) | conditional (purpose: transport; organisation: dvo) | denied (default-deny) |',
        '| `Person.vNumber` | identity | allowed | allowed | allowed | denied (default-deny) |',
      ]),
    );
    const table = runPolicy('matrix', '--audience', 'chain-officer');
    const row = table.lines.find((line) => line.startsWith('medical  Person.medicalDossier '));
    expect(row?.split(/ {2,}/)).toEqual(['medical', 'Person.medicalDossier', 'medical-dossier *', 'denied (never-dossier-outside-care)']);
  });

  it('refuses a policy the gateway would refuse, with the problems', () => {
    const policy = temp.write('unknown-class.yaml', readFileSync(FIXTURE_POLICY, 'utf8').replace('classes: [health-notice]', 'classes: [health-notes]'));
    const run = runPolicy('matrix', '--policy', policy, '--supergraph', FIXTURE_SUPERGRAPH);
    expect(run).toMatchObject({ code: 1, lines: [`${policy}:56:15: error: rule "health-notice-for-all": unknown class "health-notes"`] });
  });

  it('rejects an unknown format and an unknown audience', () => {
    const format = runPolicy('matrix', ...FIXTURE, '--format', 'pdf');
    expect(format.code).toBe(2);
    expect(format.stderr.split('\n')[0]).toBe('--format must be one of table, markdown, json, html');
    const audience = runPolicy('matrix', ...FIXTURE, '--audience', 'doctors');
    expect(audience).toMatchObject({ code: 1, stdout: '', stderr: 'error: unknown audience "doctors": the policy\'s audiences are medical-professional, escort-nurse, chain-officer, privacy-officer\n' });
  });
});
