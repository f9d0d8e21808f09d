import { DEMO_V_NUMBERS } from '../../lib/demo/world';
import { startTestStack, type TestStack } from '../support/stack';
import { dossierValues, expectNoDossierValue, forbiddenByPath, loadPolicy, type Json } from './support';

/**
 * The MEDEX escort nurse reads the medical dossier only where the person consented to
 * share it with the escort; otherwise the health notice. Consent is recorded in the
 * medical subgraph and decided there, per person, within one and the same query.
 */

jest.setTimeout(120_000);

const DOSSIER_QUERY = /* GraphQL */ `
  query Escort($vNumber: String!) {
    person(vNumber: $vNumber) {
      vNumber
      healthNotice { fitToTravel escortAdvice instructions { at instruction } provenance { partner recordedByRole } }
      escortConsent { status }
      medicalDossier {
        conditions { code description }
        medication { name dosage schedule }
        fitToTravelAssessment { decision considerations }
        handovers { toRole summary }
      }
    }
  }
`;

describe('escort nurse and consent', () => {
  let stack: TestStack;
  const policy = loadPolicy();
  const escortNurse = { role: 'escort-nurse' };

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('the policy makes the dossier conditional on consent for the escort nurse (the premise of this suite)', () => {
    const caller = { audience: policy.audienceFor(['escort-nurse'], '19012345601'), purpose: 'departure', organisation: 'medex' };
    expect(caller.audience).toBe('escort-nurse');
    const decision = policy.decide(caller, 'Person.medicalDossier');
    expect(decision).toMatchObject({ effect: 'conditional', conditions: ['consent:escort'] });
    expect(policy.resolve(decision, { escortConsent: true }).allowed).toBe(true);
    expect(policy.resolve(decision, { escortConsent: false }).allowed).toBe(false);
  });

  it('gives the dossier of 2044001001, who consented: condition E10.9 with its medication', async () => {
    const response = await stack.query<Json>(DOSSIER_QUERY, { ...escortNurse, variables: { vNumber: DEMO_V_NUMBERS.consentGiven } });
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    const person = response.body.data.person;
    expect(person.vNumber).toBe(DEMO_V_NUMBERS.consentGiven);
    expect(person.escortConsent.status).toBe('GIVEN');
    expect(person.medicalDossier.conditions.map((c: Json) => c.code)).toEqual(['E10.9']);
    expect(person.medicalDossier.conditions[0].description).toMatch(/diabetes/i);
    expect(person.medicalDossier.medication.some((m: Json) => /insulin/.test(m.name))).toBe(true);
    expect(person.medicalDossier.fitToTravelAssessment.decision).toBe('WITH_CONDITIONS');
    expect(person.healthNotice).toMatchObject({ fitToTravel: 'WITH_CONDITIONS', escortAdvice: 'MEDEX escort required' });
  });

  it('withholds the dossier of 2044001002, who refused: null with FORBIDDEN at person.medicalDossier, the health notice still there', async () => {
    const vNumber = DEMO_V_NUMBERS.consentRefused;
    const response = await stack.query<Json>(DOSSIER_QUERY, { ...escortNurse, variables: { vNumber } });
    expect(response.status).toBe(200);
    const person = response.body.data.person;
    expect(person.vNumber).toBe(vNumber);
    expect(person.medicalDossier).toBeNull();
    const errors = response.body.errors ?? [];
    expect(errors).toHaveLength(1);
    expect(errors[0]!.path).toEqual(['person', 'medicalDossier']);
    expect(errors[0]!.extensions).toMatchObject({ code: 'FORBIDDEN', field: 'Person.medicalDossier', rule: 'dossier-for-escort-with-consent', class: 'medical-dossier' });
    expect(errors[0]!.message).toBe('Not authorised to read Person.medicalDossier');
    // The escort may see that consent was refused, and gets the practical translation.
    expect(person.escortConsent.status).toBe('REFUSED');
    expect(person.healthNotice).toMatchObject({ fitToTravel: 'WITH_CONDITIONS', escortAdvice: 'MEDEX escort required', provenance: { partner: 'MEDICAL' } });
    expect(person.healthNotice.instructions.length).toBeGreaterThan(0);

    // The same query by a doctor shows there is a dossier to withhold, and none of it reached the nurse.
    const doctor = await stack.query<Json>(DOSSIER_QUERY, { role: 'medical-doctor', variables: { vNumber } });
    expect(doctor.body.errors).toBeUndefined();
    expect(doctor.body.data.person.medicalDossier.conditions.map((c: Json) => c.code)).toEqual(['J45.9']);
    expectNoDossierValue(response, dossierValues(doctor.body.data));
  });

  it('decides per person within one request: both persons by alias, only the consenting one gets the dossier', async () => {
    const query = /* GraphQL */ `
      query Both($a: String!, $b: String!) {
        given: person(vNumber: $a) { vNumber medicalDossier { conditions { code } } }
        refused: person(vNumber: $b) { vNumber medicalDossier { conditions { code } } }
      }
    `;
    const response = await stack.query<Json>(query, { ...escortNurse, variables: { a: DEMO_V_NUMBERS.consentGiven, b: DEMO_V_NUMBERS.consentRefused } });
    expect(response.status).toBe(200);
    expect(response.body.data.given.medicalDossier.conditions.map((c: Json) => c.code)).toEqual(['E10.9']);
    expect(response.body.data.refused.vNumber).toBe(DEMO_V_NUMBERS.consentRefused);
    expect(response.body.data.refused.medicalDossier).toBeNull();
    expect([...forbiddenByPath(response).keys()]).toEqual(['refused.medicalDossier']);
    expect(JSON.stringify(response.body)).not.toContain('J45.9');
  });

  it('gives the escort nurse no dossier without a BIG registration, whatever the consent', async () => {
    const response = await stack.query<Json>(DOSSIER_QUERY, {
      role: 'escort-nurse',
      tokenOptions: { bigRegistration: null },
      variables: { vNumber: DEMO_V_NUMBERS.consentGiven },
    });
    expect(response.status).toBe(200);
    // Without BIG the role maps to no audience: nothing of the person is released.
    expect(response.body.data.person).toBeNull();
    expect(forbiddenByPath(response).get('person')).toMatchObject({ code: 'FORBIDDEN', field: 'Query.person' });
    expect(JSON.stringify(response.body)).not.toContain('E10.9');
  });
});
