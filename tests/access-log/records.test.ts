import { DEMO_V_NUMBERS } from '../../lib/demo/world';
import { startTestStack, type TestStack } from '../support/stack';
import { allRecords, newTrace, recordsAbout } from './support';

/**
 * Every release or denial of audited data produces one access record per request and data
 * subject, committed before the response: the fields as Type.field coordinates, the
 * purpose, the caller, the policy hash and the W3C trace id the request came with.
 */

jest.setTimeout(120_000);

const DOSSIER = /* GraphQL */ `
  query Dossier($vNumber: String!) {
    person(vNumber: $vNumber) {
      name { family }
      medicalDossier { conditions { code } medication { name } }
    }
  }
`;

describe('access records of reads', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('records a medical read by a doctor once, for that person, with fields, purpose and trace id', async () => {
    const trace = newTrace();
    const before = (await allRecords(stack)).length;
    const response = await stack.query(DOSSIER, {
      role: 'medical-doctor',
      variables: { vNumber: DEMO_V_NUMBERS.consentGiven },
      headers: { traceparent: trace.traceparent },
    });
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.person.medicalDossier.conditions.length).toBeGreaterThan(0);
    // The injected subject key never reaches the client.
    expect(JSON.stringify(response.body)).not.toContain('__accessSubject');

    const records = await allRecords(stack);
    expect(records.length).toBe(before + 1);
    const about = await recordsAbout(stack, DEMO_V_NUMBERS.consentGiven);
    expect(about).toHaveLength(1);
    const [record] = about;
    expect(record).toMatchObject({
      trace_id: trace.traceId,
      actor_subject: 'dev-medical-doctor',
      actor_organisation: 'medical',
      actor_roles: ['medical-doctor'],
      audience: 'medical-professional',
      purpose: 'medical-care',
      processing_activity: 'medical-care:Dossier',
      fields_allowed: ['MedicalCondition.code', 'MedicalDossier.conditions', 'MedicalDossier.medication', 'Medication.name', 'Person.medicalDossier'],
      fields_denied: [],
      policy_hash: stack.gateway.policy().hash,
    });
  });

  it('records a transport officer\'s attempt as a denial with the rule', async () => {
    const trace = newTrace();
    const before = await recordsAbout(stack, DEMO_V_NUMBERS.consentGiven);
    const response = await stack.query(DOSSIER, {
      role: 'transport-officer',
      variables: { vNumber: DEMO_V_NUMBERS.consentGiven },
      headers: { traceparent: trace.traceparent },
    });
    expect(response.body.data?.person).toEqual({ name: expect.any(Object), medicalDossier: null });
    expect(response.body.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    const after = await recordsAbout(stack, DEMO_V_NUMBERS.consentGiven);
    expect(after).toHaveLength(before.length + 1);
    expect(after[after.length - 1]).toMatchObject({
      trace_id: trace.traceId,
      actor_subject: 'dev-transport-officer',
      actor_organisation: 'dvo',
      audience: 'chain-officer',
      purpose: 'transport',
      fields_allowed: [],
      fields_denied: [{ field: 'Person.medicalDossier', rule: 'never-dossier-outside-care' }],
    });
  });

  it('records a denied parent\'s audited children, for the subject named in the argument (privacy officer)', async () => {
    const before = await recordsAbout(stack, DEMO_V_NUMBERS.reception);
    const response = await stack.query(`{ person(vNumber: "${DEMO_V_NUMBERS.reception}") { vNumber medicalDossier { conditions { code } } } }`, {
      role: 'privacy-officer',
    });
    // Query.person itself is denied (identity is not theirs): the dossier is never fetched,
    // and the attempt on it is recorded under the rule that stopped it.
    expect(response.body.errors).toEqual([expect.objectContaining({ path: ['person'], extensions: expect.objectContaining({ code: 'FORBIDDEN', rule: 'default-deny' }) })]);
    const after = await recordsAbout(stack, DEMO_V_NUMBERS.reception);
    expect(after.slice(before.length)).toEqual([
      expect.objectContaining({
        audience: 'privacy-officer',
        fields_allowed: [],
        fields_denied: [{ field: 'Person.medicalDossier', rule: 'default-deny' }],
      }),
    ]);
  });

  it('knows the subject of a transport order read without its person', async () => {
    const orders = await stack.query(`{ person(vNumber: "${DEMO_V_NUMBERS.consentGiven}") { transportOrders { id } } }`, { role: 'transport-officer' });
    const id = orders.body.data!.person.transportOrders[0].id;
    const before = await recordsAbout(stack, DEMO_V_NUMBERS.consentGiven);
    const response = await stack.query(`query Order($id: ID!) { transportOrder(id: $id) { plannedPickupAt classification { level } } }`, {
      role: 'transport-officer',
      variables: { id },
    });
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data!.transportOrder).toEqual({ plannedPickupAt: expect.any(String), classification: { level: expect.any(String) } });
    const after = await recordsAbout(stack, DEMO_V_NUMBERS.consentGiven);
    expect(after.slice(before.length)).toEqual([
      expect.objectContaining({ processing_activity: 'transport:Order', fields_allowed: ['TransportClassification.level', 'TransportOrder.classification'] }),
    ]);
  });

  it('writes nothing for a request that touches no audited field', async () => {
    const before = (await allRecords(stack)).length;
    const response = await stack.query(`{ person(vNumber: "${DEMO_V_NUMBERS.consentGiven}") { vNumber name { family } returnCase { status } } }`, {
      role: 'transport-officer',
    });
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.person.vNumber).toBe(DEMO_V_NUMBERS.consentGiven);
    expect((await allRecords(stack)).length).toBe(before);
  });

  it('records the medical subgraph\'s own denial (escort nurse, consent refused) for that person', async () => {
    const response = await stack.query(DOSSIER, { role: 'escort-nurse', variables: { vNumber: DEMO_V_NUMBERS.consentRefused } });
    expect(response.body.data?.person.medicalDossier).toBeNull();
    const forbidden = response.body.errors?.find((e) => e.extensions?.code === 'FORBIDDEN');
    expect(forbidden?.path).toEqual(['person', 'medicalDossier']);
    const about = await recordsAbout(stack, DEMO_V_NUMBERS.consentRefused);
    expect(about).toHaveLength(1);
    expect(about[0]).toMatchObject({
      audience: 'escort-nurse',
      fields_allowed: [],
      fields_denied: [{ field: 'Person.medicalDossier', rule: forbidden?.extensions?.rule }],
    });
  });

  it('writes one record per person for a list, each with that person\'s released fields', async () => {
    const from = new Date(stack.world.reference.getTime() - 24 * 3600_000).toISOString();
    const to = new Date(stack.world.reference.getTime() + 60 * 24 * 3600_000).toISOString();
    const before = (await allRecords(stack)).length;
    const response = await stack.query(
      `query Window($from: DateTime!, $to: DateTime!) { departures(from: $from, to: $to, first: 10) { nodes { person { name { family } healthNotice { fitToTravel } } } } }`,
      { role: 'transport-officer', variables: { from, to } },
    );
    expect(response.body.errors).toBeUndefined();
    const persons = response.body.data!.departures.nodes.map((n: any) => n.person);
    expect(persons.length).toBe(10);
    const withNotice = persons.filter((p: any) => p.healthNotice !== null).length;
    expect(withNotice).toBeGreaterThan(0);
    const added = (await allRecords(stack)).slice(before);
    // Every record in one batch shares the trace id and is about a different person.
    expect(new Set(added.map((r) => r.trace_id)).size).toBe(1);
    expect(new Set(added.map((r) => r.data_subject_hash)).size).toBe(added.length);
    expect(added.length).toBe(withNotice);
    for (const record of added) expect(record.fields_allowed).toEqual(['HealthNotice.fitToTravel', 'Person.healthNotice']);
  });
});
