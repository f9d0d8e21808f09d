import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { fromRoot } from '../../lib/paths';
import { FIXTURE_POLICY, FIXTURE_SUPERGRAPH, policyHash, realPolicy, runPolicy, tempFolder } from './cli-helper';

const temp = tempFolder('policy-diff-');
afterAll(() => temp.remove());

/**
 * The real policy with three edits a privacy officer might make: DT&V chain officers lose
 * Person.name, the privacy officer gains the health notice, a new audience for auditors.
 */
function modifiedRealPolicy(): string {
  const doc = parseDocument(readFileSync(fromRoot('schema', 'policy.yaml'), 'utf8'));
  doc.set('version', '2026-12-01');
  doc.setIn(['audiences', 'auditor'], doc.createNode({ description: 'External auditor.', roles: ['external-auditor'] }));
  doc.addIn(['rules'], doc.createNode({ id: 'no-names-for-dtv', description: 'Test: DT&V officers work by V-number.', effect: 'deny', audiences: ['chain-officer'], fields: ['Person.name'], when: { organisation: ['dtv'] } }));
  doc.addIn(['rules'], doc.createNode({ id: 'notice-for-privacy', description: 'Test: the privacy officer reads health notices.', audiences: ['privacy-officer'], fields: ['Person.healthNotice'] }));
  return doc.toString();
}

describe('npm run policy -- diff', () => {
  it('shows which audience gains or loses which fields between the real policy and a modified copy', () => {
    const changed = temp.write('policy.yaml', modifiedRealPolicy());
    const run = runPolicy('diff', 'schema/policy.yaml', changed);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.lines).toEqual([
      `old: schema/policy.yaml (version ${realPolicy().version}, hash ${policyHash('schema/policy.yaml')})`,
      `new: ${changed} (version 2026-12-01, hash ${policyHash(changed)})`,
      '',
      'medical-professional: no change',
      'escort-nurse: no change',
      'chain-officer: loses 1 field',
      '  - Person.name: allowed -> conditional (organisation: any but dtv)',
      'privacy-officer: gains 1 field',
      '  + Person.healthNotice: denied (default-deny) -> allowed',
      'auditor (new audience): no change',
      'role external-auditor: no audience -> auditor',
    ]);
  });

  it('shows the reverse change the other way round, and no change for identical files', () => {
    const changed = temp.write('policy-2.yaml', modifiedRealPolicy());
    const run = runPolicy('diff', changed, 'schema/policy.yaml');
    expect(run.lines.slice(3)).toEqual([
      'medical-professional: no change',
      'escort-nurse: no change',
      'chain-officer: gains 1 field',
      '  + Person.name: conditional (organisation: any but dtv) -> allowed',
      'privacy-officer: loses 1 field',
      '  - Person.healthNotice: allowed -> denied (default-deny)',
      'auditor (audience removed): no change',
      'role external-auditor: auditor -> no audience',
    ]);
    expect(runPolicy('diff', 'schema/policy.yaml', 'schema/policy.yaml').lines[3]).toBe('the two policies are identical');
  });

  it('shows narrowed and changed conditions and a removed audience, on the fixture policy', () => {
    const text = readFileSync(fromRoot(FIXTURE_POLICY), 'utf8');
    const changed = temp.write(
      'fixture-changed.yaml',
      text
        .replace('      purpose: [medical-care, departure]', '      purpose: [medical-care, transport]')
        .replace('      purpose: [transport, departure]\n      organisation: [dvo]', '      purpose: [transport]\n      organisation: [dvo]')
        .replace('  privacy-officer:\n    description: Privacy officer.\n    roles: [privacy-officer]\n', '')
        .replace('audiences: [chain-officer, privacy-officer]', 'audiences: [chain-officer]'),
    );
    const run = runPolicy('diff', '--supergraph', FIXTURE_SUPERGRAPH, FIXTURE_POLICY, changed);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.lines).toEqual([
      `old: tests/policy/fixtures/policy.yaml (version fixture-1, hash ${policyHash(FIXTURE_POLICY)})`,
      `new: ${changed} (version fixture-1, hash ${policyHash(changed)})`,
      '',
      'medical-professional: 3 fields with gains and losses',
      '  ~ MedicalDossier.conditions: conditional (purpose: departure, medical-care) -> conditional (purpose: transport, medical-care)',
      '  ~ MedicalDossier.medication: conditional (purpose: departure, medical-care) -> conditional (purpose: transport, medical-care)',
      '  ~ Person.medicalDossier: conditional (purpose: departure, medical-care) -> conditional (purpose: transport, medical-care)',
      'escort-nurse: loses 1 field',
      '  - Person.riskNote: conditional (purpose: transport, departure; organisation: dvo) -> conditional (purpose: transport; organisation: dvo)',
      'chain-officer: loses 1 field',
      '  - Person.riskNote: conditional (purpose: transport, departure; organisation: dvo) -> conditional (purpose: transport; organisation: dvo)',
      'privacy-officer (audience removed): no change',
      'role privacy-officer: privacy-officer -> no audience',
    ]);
  });

  it('decides an old policy that no longer fits the supergraph, with a note; refuses an invalid one', () => {
    const text = readFileSync(fromRoot(FIXTURE_POLICY), 'utf8');
    const old = temp.write('old.yaml', text.replace('classes: [identity]', 'classes: [identity]\n    fields: [Person.nickname]'));
    const run = runPolicy('diff', '--supergraph', FIXTURE_SUPERGRAPH, old, FIXTURE_POLICY);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(`note: ${old} has 1 problem(s) against tests/policy/fixtures/supergraph.graphql; decided anyway:\n${old}:44:14: error: rule "identity-for-the-chain": unknown field "Person.nickname"\n`);
    expect(run.lines.slice(3)).toEqual(['medical-professional: no change', 'escort-nurse: no change', 'chain-officer: no change', 'privacy-officer: no change']);

    const invalid = temp.write('invalid.yaml', text.replace('version: "fixture-1"\n', ''));
    expect(runPolicy('diff', '--supergraph', FIXTURE_SUPERGRAPH, FIXTURE_POLICY, invalid)).toMatchObject({ code: 1, lines: [`${invalid}:3:1: error: the policy: missing "version"`] });
    expect(runPolicy('diff', FIXTURE_POLICY).code).toBe(2);
  });
});
