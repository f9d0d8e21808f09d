import { DEMO_V_NUMBERS } from '../../lib/demo/world';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * Durable before release: when the access log cannot be written, audited fields are
 * withheld (null + ACCESS_LOG_UNAVAILABLE at each path) and everything else in the
 * response is unaffected.
 */

jest.setTimeout(120_000);

const PERSON = /* GraphQL */ `
  query Person($vNumber: String!) {
    person(vNumber: $vNumber) {
      vNumber
      name { given family }
      returnCase { status }
      healthNotice { fitToTravel instructions { at instruction } }
      medicalDossier { conditions { code } }
      escortConsent { status }
    }
  }
`;

describe('with the audit service stopped', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
    // Prove the path works first, then take the access log away.
    const ok = await stack.query(PERSON, { role: 'medical-doctor', variables: { vNumber: DEMO_V_NUMBERS.consentGiven } });
    expect(ok.body.errors).toBeUndefined();
    expect(ok.body.data?.person.medicalDossier).not.toBeNull();
    await stack.subgraphs.find((s) => s.name === 'audit')!.close();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('withholds every audited field with ACCESS_LOG_UNAVAILABLE and returns the rest', async () => {
    const response = await stack.query(PERSON, { role: 'medical-doctor', variables: { vNumber: DEMO_V_NUMBERS.consentGiven } });
    expect(response.status).toBe(200);
    const person = response.body.data?.person;
    expect(person.vNumber).toBe(DEMO_V_NUMBERS.consentGiven);
    expect(person.name).toEqual({ given: 'Amir', family: 'Haddad' });
    expect(person.returnCase).toEqual({ status: expect.any(String) });
    expect(person.healthNotice).toBeNull();
    expect(person.medicalDossier).toBeNull();
    expect(person.escortConsent).toBeNull();
    const withheld = (response.body.errors ?? []).filter((e) => e.extensions?.code === 'ACCESS_LOG_UNAVAILABLE');
    expect(withheld.map((e) => e.path).sort()).toEqual([
      ['person', 'escortConsent'],
      ['person', 'healthNotice'],
      ['person', 'medicalDossier'],
    ]);
    for (const error of withheld) expect(error.message).toBe('withheld: the access log could not be written');
    expect(response.body.errors).toHaveLength(3);
    expect(JSON.stringify(response.body)).not.toContain('__accessSubject');
  });

  it('still answers requests that touch no audited field in full', async () => {
    const response = await stack.query(`{ person(vNumber: "${DEMO_V_NUMBERS.consentGiven}") { name { family } returnCase { status } } }`, {
      role: 'transport-officer',
    });
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.person.name.family).toBe('Haddad');
  });

  it('withholds audited fields of every person in a list, at each path', async () => {
    const from = new Date(stack.world.reference.getTime() - 24 * 3600_000).toISOString();
    const to = new Date(stack.world.reference.getTime() + 60 * 24 * 3600_000).toISOString();
    const response = await stack.query(
      `query W($from: DateTime!, $to: DateTime!) { departures(from: $from, to: $to, first: 5) { nodes { plannedAt person { name { family } healthNotice { fitToTravel } } } } }`,
      { role: 'transport-officer', variables: { from, to } },
    );
    const nodes = response.body.data!.departures.nodes;
    expect(nodes).toHaveLength(5);
    for (const node of nodes) {
      expect(node.plannedAt).toEqual(expect.any(String));
      expect(node.person.name.family).toEqual(expect.any(String));
      expect(node.person.healthNotice).toBeNull();
    }
    const paths = (response.body.errors ?? []).filter((e) => e.extensions?.code === 'ACCESS_LOG_UNAVAILABLE').map((e) => e.path);
    expect(paths.length).toBeGreaterThan(0);
    for (const path of paths) expect(path).toEqual(['departures', 'nodes', expect.any(Number), 'person', 'healthNotice']);
  });
});
