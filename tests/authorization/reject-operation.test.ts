import { DEMO_V_NUMBERS } from '../../lib/demo/world';
import { startTestStack, type TestStack } from '../support/stack';
import { loadPolicy, type Json } from './support';

/**
 * The switch `ON_DENIED=reject-operation` (the policy's `settings.onDenied`, overridden by
 * the environment): an operation that asks for any field the caller may not read is
 * refused whole, naming the fields; operations asking only for allowed fields still work.
 */

jest.setTimeout(120_000);

const AMIR = DEMO_V_NUMBERS.consentGiven;

describe('reject-operation mode', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({ env: { ON_DENIED: 'reject-operation' } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('runs against a policy whose own setting is null-field (the environment switch is what is tested)', () => {
    expect(loadPolicy().onDenied).toBe('null-field');
  });

  it('refuses an operation that asks for a denied field whole: no data, FORBIDDEN naming the field', async () => {
    const response = await stack.query<Json>(
      `{ person(vNumber: "${AMIR}") { vNumber name { given } healthNotice { fitToTravel } medicalDossier { conditions { code } } } }`,
      { role: 'transport-officer' },
    );
    expect(response.body.data ?? null).toBeNull();
    const errors = response.body.errors ?? [];
    expect(errors).toHaveLength(1);
    expect(errors[0]!.extensions).toMatchObject({ code: 'FORBIDDEN', field: 'Person.medicalDossier', rule: 'never-dossier-outside-care', class: 'medical-dossier' });
    // Nothing at all of the person: not the allowed name, not the notice.
    expect(JSON.stringify(response.body)).not.toMatch(/Amir|WITH_CONDITIONS|E10\.9/);
  });

  it('names every denied field once, however often and wherever it is asked', async () => {
    const response = await stack.query<Json>(
      `query($id: ID!) {
        person(vNumber: "${AMIR}") { a: medicalDossier { conditions { code } } b: medicalDossier { medication { name } } escortConsent { status } }
        transportOrder(id: $id) { person { ... on Person { medicalDossier { conditions { code } } } } }
      }`,
      { role: 'transport-officer', variables: { id: 'no-such-order' } },
    );
    expect(response.body.data ?? null).toBeNull();
    const fields = (response.body.errors ?? []).map((e) => e.extensions?.field).sort();
    expect(fields).toEqual(['Person.escortConsent', 'Person.medicalDossier']);
    for (const error of response.body.errors ?? []) expect(error.extensions?.code).toBe('FORBIDDEN');
  });

  it('refuses a denied root field (privacy officer asking for a person)', async () => {
    const response = await stack.query<Json>(`{ person(vNumber: "${AMIR}") { vNumber } }`, { role: 'privacy-officer' });
    expect(response.body.data ?? null).toBeNull();
    expect(response.body.errors).toHaveLength(1);
    expect(response.body.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN', field: 'Query.person' });
    expect(JSON.stringify(response.body)).not.toContain(AMIR);
  });

  it('answers an operation that asks only for allowed fields', async () => {
    const response = await stack.query<Json>(
      `{ person(vNumber: "${AMIR}") { vNumber name { given } healthNotice { fitToTravel } transportOrders { kind classification { level } } } }`,
      { role: 'transport-officer' },
    );
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data.person).toMatchObject({ vNumber: AMIR, name: { given: 'Amir' }, healthNotice: { fitToTravel: 'WITH_CONDITIONS' } });
    expect(response.body.data.person.transportOrders.some((o: Json) => o.classification?.level === 'EXTRA_SECURED')).toBe(true);
  });

  it('answers the doctor the dossier, which the doctor may read', async () => {
    const response = await stack.query<Json>(`{ person(vNumber: "${AMIR}") { vNumber medicalDossier { conditions { code } } } }`, { role: 'medical-doctor' });
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data.person.medicalDossier.conditions.map((c: Json) => c.code)).toEqual(['E10.9']);
  });
});
