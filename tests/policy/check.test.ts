import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { fromRoot } from '../../lib/paths';
import { readClassifications } from '../../lib/policy/classification';
import { FIXTURE_POLICY, FIXTURE_SUPERGRAPH, policyHash, realPolicy, runPolicy, tempFolder } from './cli-helper';

const temp = tempFolder('policy-check-');
afterAll(() => temp.remove());

/** A policy with one of each problem `check` finds; line numbers matter to the expectations. */
const BROKEN_POLICY = `version: "broken-1"

purposes:
  transport: Transport of the person.
  medical-care: Care.

audiences:
  medical-professional:
    description: Doctors.
    roles: [medical-doctor]
  chain-officer:
    description: Chain officers.
    roles: [transport-officer, medical-doctor]

classes:
  identity:
    description: Who the person is.
    sensitivity: personal
  health-notice:
    description: Health notice.
    sensitivity: personal
  medical-dossier:
    description: The dossier.
    sensitivity: special-category
  belongings:
    description: Belongings.
    sensitivity: personal

rules:
  - id: identity-for-the-chain
    description: Everyone knows who it is.
    audiences: [medical-professional, chain-officer, escort]
    classes: [identity, identiy]

  - id: notice
    description: The health notice.
    audiences: [chain-officer]
    classes: [health-notice]
    fields: [Person.healthNotes, Patient.name]
    when:
      purpose: [transport, departure]

  - id: dossier-for-officers
    description: A mistake that the deny rule below makes harmless.
    audiences: [chain-officer]
    classes: [medical-dossier]
    fields: [Person.medicalDossier]

  - id: belongings-for-the-chain
    description: Nothing carries belongings.
    audiences: [chain-officer]
    classes: [belongings]

  - id: never-dossier
    description: Chain officers never receive the dossier.
    effect: deny
    audiences: [chain-officer]
    classes: [medical-dossier]
    when:
      consent: escort

  - id: never-dossier-really
    description: Chain officers never receive the dossier.
    effect: deny
    audiences: [chain-officer]
    classes: [medical-dossier]
`;

describe('npm run policy -- check', () => {
  it('passes the real policy against the real supergraph, with its version and hash', () => {
    const policy = realPolicy();
    const classified = [...readClassifications(parse(readFileSync(fromRoot('schema', 'supergraph.graphql'), 'utf8'))).values()].filter((f) => f.className).length;
    const run = runPolicy('check');
    expect(run).toEqual({
      code: 0,
      stderr: '',
      stdout: expect.any(String),
      lines: [
        `schema/policy.yaml: valid against schema/supergraph.graphql (policy ${policy.version}, hash ${policyHash('schema/policy.yaml')}; ` +
          `${Object.keys(policy.audiences).length} audiences, ${Object.keys(policy.classes).length} classes, ${policy.rules.length} rules, ${classified} classified fields)`,
      ],
    });
  });

  it('passes the fixture policy against the fixture supergraph', () => {
    const run = runPolicy('check', '--policy', FIXTURE_POLICY, '--supergraph', FIXTURE_SUPERGRAPH);
    expect(run.code).toBe(0);
    expect(run.lines).toEqual([
      `tests/policy/fixtures/policy.yaml: valid against tests/policy/fixtures/supergraph.graphql (policy fixture-1, hash ${policyHash(FIXTURE_POLICY)}; 4 audiences, 4 classes, 6 rules, 10 classified fields)`,
    ]);
  });

  it('reports every problem of a broken policy at its line and column, and exits 1', () => {
    const file = temp.write('broken.yaml', BROKEN_POLICY);
    const run = runPolicy('check', '--policy', file, '--supergraph', FIXTURE_SUPERGRAPH);
    expect(run.code).toBe(1);
    expect(run.lines).toEqual([
      `${file}:13:32: error: role "medical-doctor" is in audiences "medical-professional" and "chain-officer"; a role must map to one audience`,
      `${file}:25:3: error: class "belongings" is carried by no field in the supergraph`,
      `${file}:32:54: error: rule "identity-for-the-chain": unknown audience "escort"`,
      `${file}:33:25: error: rule "identity-for-the-chain": unknown class "identiy"`,
      `${file}:39:14: error: rule "notice": unknown field "Person.healthNotes"`,
      `${file}:39:34: error: rule "notice": unknown type "Patient" in "Patient.name"`,
      `${file}:41:28: error: rule "notice": unknown purpose "departure"`,
      `${file}:43:5: error: rule "dossier-for-officers" can never apply: deny rule "never-dossier-really" always denies what it allows to chain-officer`,
      `${file}:49:5: error: rule "belongings-for-the-chain" can never apply: no field in the supergraph carries class belongings`,
      `${file}:60:16: error: rule "never-dossier": a deny rule cannot depend on consent (consent can only widen access)`,
      `tests/policy/fixtures/supergraph.graphql:56:3: error: field Person.riskNote is classified "risk-assessment", which the policy does not define`,
      'check failed: 11 errors',
    ]);
  });

  it('reports unclassified fields at their line in the supergraph', () => {
    const sdl = readFileSync(fromRoot(FIXTURE_SUPERGRAPH), 'utf8').replace('name: String @join__field(graph: DTV) @classification(class: "identity")', 'name: String @join__field(graph: DTV)');
    const supergraph = temp.write('supergraph.graphql', sdl);
    const run = runPolicy('check', '--policy', FIXTURE_POLICY, '--supergraph', supergraph);
    expect(run.code).toBe(1);
    expect(run.lines).toEqual([`${supergraph}:55:3: error: field Person.name has no @classification in the schema`, 'check failed: 1 error']);
  });

  it('reports JSON Schema violations with their line, and an unparsable supergraph', () => {
    const policy = temp.write(
      'schema-broken.yaml',
      readFileSync(fromRoot(FIXTURE_POLICY), 'utf8')
        .replace('    requireBigRegistration: true\n  escort-nurse:', '    requireBigRegistration: yes please\n  escort-nurse:')
        .replace('  - id: never-dossier\n', '  - id: never-dossier\n    effect: forbid\n    reason: duplicate\n')
        .replace('    effect: deny\n', ''),
    );
    const supergraph = temp.write('broken.graphql', 'type Query {\n  person: Person @classification(class: "identity"\n}\n');
    const run = runPolicy('check', '--policy', policy, '--supergraph', supergraph);
    expect(run.code).toBe(1);
    expect(run.lines).toEqual([
      `${policy}:13:29: error: audiences.medical-professional.requireBigRegistration: must be boolean`,
      `${policy}:73:13: error: rules.5.effect: must be one of allow, deny`,
      `${policy}:74:5: error: rules.5: unknown key "reason"`,
      `${supergraph}:3:1: error: the supergraph is not valid GraphQL SDL: Syntax Error: Expected Name, found "}".`,
      'check failed: 4 errors',
    ]);
  });

  it('reports YAML syntax errors at their line', () => {
    const policy = temp.write('yaml-broken.yaml', readFileSync(fromRoot(FIXTURE_POLICY), 'utf8').replace('    roles: [escort-nurse]\n', '    roles: [escort-nurse\n'));
    const run = runPolicy('check', '--policy', policy, '--supergraph', FIXTURE_SUPERGRAPH);
    expect(run.code).toBe(1);
    // The unterminated flow sequence on line 16 is found where the next line starts.
    expect(run.lines).toEqual([
      `${policy}:17:5: error: Flow sequence in block collection must be sufficiently indented and end with a ]`,
      `${policy}:17:29: error: Nested mappings are not allowed in compact mappings`,
      `${policy}:17:29: error: Implicit keys need to be on a single line`,
      'check failed: 3 errors',
    ]);
  });

  it('runs as the npm script CI calls, with exit status 1 on a broken policy', () => {
    const file = temp.write('broken-for-npm.yaml', BROKEN_POLICY);
    expect(execFileSync('npm', ['run', '-s', 'policy', '--', 'check'], { cwd: fromRoot(), encoding: 'utf8' })).toMatch(/^schema\/policy\.yaml: valid against schema\/supergraph\.graphql /);
    let status = 0;
    try {
      execFileSync('npm', ['run', '-s', 'policy', '--', 'check', '--policy', file, '--supergraph', FIXTURE_SUPERGRAPH], { cwd: fromRoot(), encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      status = (error as { status: number }).status;
    }
    expect(status).toBe(1);
  });
});
