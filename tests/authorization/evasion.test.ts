import { DEMO_V_NUMBERS } from '../../lib/demo/world';
import { signRequest, type SignedIdentity } from '../../lib/identity/signing';
import { startTestStack, type GraphQLResponse, type TestStack } from '../support/stack';
import { at, dossierValues, expectNoDossierValue, forbiddenByPath, type Json } from './support';

/**
 * A transport officer must never receive a diagnosis, by any query: not by renaming the
 * field, not by hiding it in fragments, not by reaching the person through another
 * partner's type, not by toggling directives with variables, and not by going around the
 * gateway to the medical subgraph. Each attempt must leave the dossier null at the path
 * asked for, with FORBIDDEN there, and no dossier value anywhere in the answer.
 */

jest.setTimeout(120_000);

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const OFFICER = 'transport-officer';
const AMIR = DEMO_V_NUMBERS.consentGiven;

const DOSSIER = 'conditions { code description } medication { name dosage schedule } fitToTravelAssessment { considerations } handovers { summary }';

describe('evasion through the gateway', () => {
  let stack: TestStack;
  /** Dossier values of every person reachable below, as the doctor reads them. */
  let secrets: Set<string>;
  let orderId: string;
  let window: { from: string; to: string };

  /** Asserts the attempt: the dossier null at each path, FORBIDDEN naming it there, nothing leaked. */
  function expectWithheld(response: GraphQLResponse<Json>, paths: Array<Array<string | number>>, field = 'Person.medicalDossier'): void {
    expect(response.status).toBe(200);
    expect(response.body.data).toBeTruthy();
    const forbidden = forbiddenByPath(response);
    for (const path of paths) {
      const key = path.join('.');
      // The parent is there (everything else resolves); the field itself is null.
      expect({ key, parent: at(response.body.data, path.slice(0, -1)) !== null && typeof at(response.body.data, path.slice(0, -1)) === 'object' }).toEqual({ key, parent: true });
      expect({ key, value: at(response.body.data, path) }).toEqual({ key, value: null });
      expect({ key, error: forbidden.get(key) }).toEqual({ key, error: expect.objectContaining({ code: 'FORBIDDEN', field }) });
    }
    expect(forbidden.size).toBe(paths.length);
    expectNoDossierValue(response, secrets);
  }

  beforeAll(async () => {
    stack = await startTestStack();
    const reference = stack.world.reference.getTime();
    window = { from: new Date(reference - DAY).toISOString(), to: new Date(reference + 6 * DAY).toISOString() };
    const doctor = await stack.query<Json>(
      `query($v: String!, $from: DateTime!, $to: DateTime!) {
        person(vNumber: $v) { medicalDossier { ${DOSSIER} } transportOrders { id } }
        departures(from: $from, to: $to, first: 100) { nodes { person { medicalDossier { ${DOSSIER} } } } }
      }`,
      { role: 'medical-doctor', variables: { v: AMIR, ...window } },
    );
    expect(doctor.body.errors).toBeUndefined();
    secrets = dossierValues(doctor.body.data);
    expect([...secrets]).toContain('E10.9');
    orderId = doctor.body.data.person.transportOrders[0].id;
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('the plain field is withheld (baseline), the rest of the person resolves', async () => {
    const response = await stack.query<Json>(`{ person(vNumber: "${AMIR}") { vNumber healthNotice { fitToTravel } medicalDossier { ${DOSSIER} } } }`, { role: OFFICER });
    expectWithheld(response, [['person', 'medicalDossier']]);
    expect(response.body.data.person).toMatchObject({ vNumber: AMIR, healthNotice: { fitToTravel: 'WITH_CONDITIONS' } });
  });

  it('an alias does not rename the field past the policy', async () => {
    const response = await stack.query<Json>(`{ person(vNumber: "${AMIR}") { vNumber d: medicalDossier { ${DOSSIER} } } }`, { role: OFFICER });
    expectWithheld(response, [['person', 'd']]);
  });

  it('the same field twice under different aliases is withheld at both', async () => {
    const response = await stack.query<Json>(
      `{ person(vNumber: "${AMIR}") { vNumber x: medicalDossier { conditions { code } } y: medicalDossier { medication { name } } medicalDossier { handovers { summary } } } }`,
      { role: OFFICER },
    );
    expectWithheld(response, [['person', 'x'], ['person', 'y'], ['person', 'medicalDossier']]);
  });

  it('a named fragment, also nested, does not hide the field', async () => {
    const response = await stack.query<Json>(
      `query Q { person(vNumber: "${AMIR}") { vNumber ...Medical } }
       fragment Medical on Person { medicalDossier { ...Dossier } }
       fragment Dossier on MedicalDossier { ${DOSSIER} }`,
      { role: OFFICER },
    );
    expectWithheld(response, [['person', 'medicalDossier']]);
  });

  it('an inline fragment, with or without a type condition, does not hide the field', async () => {
    const response = await stack.query<Json>(
      `{ person(vNumber: "${AMIR}") { vNumber ... on Person { a: medicalDossier { ${DOSSIER} } } ... { b: medicalDossier { conditions { code } } } } }`,
      { role: OFFICER },
    );
    expectWithheld(response, [['person', 'a'], ['person', 'b']]);
  });

  it('a transport order leads back to the person, but not to the dossier', async () => {
    const response = await stack.query<Json>(
      `query($id: ID!) { transportOrder(id: $id) { id kind person { vNumber ... on Person { medicalDossier { ${DOSSIER} } } } } }`,
      { role: OFFICER, variables: { id: orderId } },
    );
    expectWithheld(response, [['transportOrder', 'person', 'medicalDossier']]);
    expect(response.body.data.transportOrder).toMatchObject({ id: orderId, person: { vNumber: AMIR } });
  });

  it('fragments on other partners\' types (departure list, transport order) lead back to the person, but not to the dossier', async () => {
    const response = await stack.query<Json>(
      `query($from: DateTime!, $to: DateTime!) {
        departures(from: $from, to: $to, first: 100) { nodes { ...Plan } }
      }
      fragment Plan on DeparturePlan { id person { vNumber ...Medical transportOrders { person { ...Medical } } } }
      fragment Medical on Person { medicalDossier { ${DOSSIER} } }`,
      { role: OFFICER, variables: window },
    );
    expect(response.status).toBe(200);
    const nodes = response.body.data.departures.nodes as Json[];
    expect(nodes.map((n) => n.person.vNumber)).toContain(AMIR);
    const paths: Array<Array<string | number>> = [];
    nodes.forEach((node, i) => {
      paths.push(['departures', 'nodes', i, 'person', 'medicalDossier']);
      (node.person.transportOrders ?? []).forEach((_: unknown, j: number) => paths.push(['departures', 'nodes', i, 'person', 'transportOrders', j, 'person', 'medicalDossier']));
    });
    expect(paths.length).toBeGreaterThan(nodes.length);
    expectWithheld(response, paths);
  });

  it('@include/@skip with variables do not switch the policy off (given and defaulted variables)', async () => {
    const query = `query($yes: Boolean!, $no: Boolean!, $dflt: Boolean = true) {
      person(vNumber: "${AMIR}") {
        vNumber
        a: medicalDossier @include(if: $yes) { ${DOSSIER} }
        b: medicalDossier @skip(if: $no) { conditions { code } }
        c: medicalDossier @include(if: $dflt) { conditions { code } }
        d: medicalDossier @skip(if: $yes) { conditions { code } }
      }
    }`;
    const response = await stack.query<Json>(query, { role: OFFICER, variables: { yes: true, no: false } });
    expectWithheld(response, [['person', 'a'], ['person', 'b'], ['person', 'c']]);
    // A skipped field is not there at all, and not reported.
    expect('d' in response.body.data.person).toBe(false);
  });

  it('the consent status is withheld from the officer by every route too', async () => {
    const response = await stack.query<Json>(
      `query($id: ID!) { person(vNumber: "${AMIR}") { c: escortConsent { status } } transportOrder(id: $id) { person { escortConsent { status recordedAt } } } }`,
      { role: OFFICER, variables: { id: orderId } },
    );
    expect(response.body.data.person.c).toBeNull();
    expect(response.body.data.transportOrder.person.escortConsent).toBeNull();
    expect(forbiddenByPath(response).get('person.c')).toMatchObject({ code: 'FORBIDDEN', field: 'Person.escortConsent' });
    expect(forbiddenByPath(response).get('transportOrder.person.escortConsent')).toMatchObject({ code: 'FORBIDDEN', field: 'Person.escortConsent' });
    expect(JSON.stringify(response.body)).not.toContain('GIVEN');
  });

  it('the privacy officer reads no person data by any of these routes', async () => {
    const response = await stack.query<Json>(
      `query($id: ID!, $from: DateTime!, $to: DateTime!) {
        person(vNumber: "${AMIR}") { d: medicalDossier { ${DOSSIER} } }
        transportOrder(id: $id) { person { medicalDossier { conditions { code } } } }
        departures(from: $from, to: $to) { nodes { person { ... on Person { medicalDossier { conditions { code } } } } } }
      }`,
      { role: 'privacy-officer', variables: { id: orderId, ...window } },
    );
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ person: null, transportOrder: null, departures: null });
    const forbidden = forbiddenByPath(response);
    expect([...forbidden.keys()].sort()).toEqual(['departures', 'person', 'transportOrder']);
    expect(forbidden.get('person')).toMatchObject({ field: 'Query.person' });
    expect(forbidden.get('transportOrder')).toMatchObject({ field: 'Query.transportOrder' });
    expect(forbidden.get('departures')).toMatchObject({ field: 'Query.departures' });
    expectNoDossierValue(response, secrets);
  });

  it('shows no query plan and allows no introspection outside development', async () => {
    const token = await stack.token({ role: OFFICER });
    const response = await fetch(stack.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'apollo-query-plan-experimental': '1' },
      body: JSON.stringify({ query: `{ person(vNumber: "${AMIR}") { vNumber medicalDossier { conditions { code } } } }` }),
    });
    const body = (await response.json()) as Json;
    expect(body.data.person.vNumber).toBe(AMIR);
    expect(body.extensions?.__queryPlanExperimental).toBeUndefined();
    expect(JSON.stringify(body)).not.toMatch(/QueryPlan|Fetch\(service/);

    const introspection = await stack.query<Json>('{ __schema { types { name } } }', { role: OFFICER });
    expect(introspection.body.data ?? null).toBeNull();
    expect(introspection.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('direct calls to the medical subgraph', () => {
  let stack: TestStack;
  let url: string;
  let representation: { __typename: 'Person'; vNumber: string; plannedDepartureAt: string | null };

  const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { vNumber medicalDossier { conditions { code } } } } }`;
  const officer: SignedIdentity = { subject: 'officer-1', organisation: 'dvo', roles: ['transport-officer'], purpose: 'transport' };
  const doctor: SignedIdentity = { subject: 'doctor-1', organisation: 'medical', roles: ['medical-doctor'], bigRegistration: '19012345601', purpose: 'medical-care' };

  const bodyOf = (query = ENTITIES) => JSON.stringify({ query, variables: { r: [representation] } });

  async function post(body: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Json; text: string }> {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const text = await response.text();
    return { status: response.status, body: JSON.parse(text), text };
  }

  function expectRefused(result: { status: number; body: Json; text: string }): void {
    expect(result.status).toBe(401);
    expect(result.body.data).toBeUndefined();
    expect(result.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(result.text).not.toContain('E10.9');
    // No hint which part of the signature failed.
    expect(result.text).not.toMatch(/stale|replay|forged|nonce|timestamp/i);
  }

  beforeAll(async () => {
    stack = await startTestStack();
    url = stack.subgraphs.find((s) => s.name === 'medical')!.url;
    const amir = stack.world.persons.find((p) => p.vNumber === AMIR)!;
    representation = { __typename: 'Person', vNumber: AMIR, plannedDepartureAt: amir.departureAt ? amir.departureAt.toISOString() : null };
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('refuses an unsigned request with 401', async () => {
    expectRefused(await post(bodyOf()));
  });

  it('refuses a request signed with another secret (forged) with 401', async () => {
    const body = bodyOf();
    const forged = signRequest('not-the-gateway-secret-but-long-enough-0123456789', doctor, body);
    expectRefused(await post(body, forged));
  });

  it('refuses a validly signed request whose body was changed after signing with 401', async () => {
    const signed = signRequest(stack.signingSecret, officer, bodyOf(`{ __typename }`));
    expectRefused(await post(bodyOf(), signed));
  });

  it('refuses a signed request whose identity was swapped after signing with 401', async () => {
    const body = bodyOf();
    const signed = signRequest(stack.signingSecret, officer, body);
    const swapped = { ...signed, 'x-chain-identity': Buffer.from(JSON.stringify(doctor)).toString('base64url') };
    expectRefused(await post(body, swapped));
  });

  it('refuses a replay of a valid signature with 401 (the first send is answered)', async () => {
    const body = bodyOf();
    const headers = signRequest(stack.signingSecret, doctor, body);
    const first = await post(body, headers);
    expect(first.status).toBe(200);
    expect(first.body.data._entities[0].medicalDossier.conditions.map((c: Json) => c.code)).toEqual(['E10.9']);
    expectRefused(await post(body, headers));
  });

  it('refuses a stale signature (10 minutes old) with 401', async () => {
    const body = bodyOf();
    expectRefused(await post(body, signRequest(stack.signingSecret, doctor, body, Date.now() - 10 * 60_000)));
  });

  it('refuses a signature from the future (10 minutes ahead) with 401', async () => {
    const body = bodyOf();
    expectRefused(await post(body, signRequest(stack.signingSecret, doctor, body, Date.now() + 10 * 60_000)));
  });

  it('a correctly signed _entities call as a transport officer gets no dossier: FORBIDDEN', async () => {
    const body = bodyOf(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { vNumber healthNotice { fitToTravel } medicalDossier { conditions { code description } medication { name } } d: medicalDossier { conditions { code } } } } }`,
    );
    const result = await post(body, signRequest(stack.signingSecret, officer, body));
    expect(result.status).toBe(200);
    const [entity] = result.body.data._entities;
    expect(entity.vNumber).toBe(AMIR);
    // The rest of what the officer may read is there: the health notice.
    expect(entity.healthNotice.fitToTravel).toBe('WITH_CONDITIONS');
    expect(entity.medicalDossier).toBeNull();
    expect(entity.d).toBeNull();
    const errors = (result.body.errors ?? []) as Json[];
    expect(errors.map((e) => e.path)).toEqual(expect.arrayContaining([['_entities', 0, 'medicalDossier'], ['_entities', 0, 'd']]));
    for (const error of errors) expect(error.extensions).toMatchObject({ code: 'FORBIDDEN', field: 'Person.medicalDossier' });
    expect(result.text).not.toMatch(/E10\.9|diabet|insulin/i);
  });

  it('the same call signed as a medical doctor for medical care does return E10.9 (the check above can fail)', async () => {
    const body = bodyOf();
    const result = await post(body, signRequest(stack.signingSecret, doctor, body));
    expect(result.status).toBe(200);
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data._entities[0].medicalDossier.conditions.map((c: Json) => c.code)).toEqual(['E10.9']);
  });

  it('decides consent in the subgraph: a signed escort-nurse call gets the dossier only where consent was given', async () => {
    const nurse: SignedIdentity = { subject: 'nurse-1', organisation: 'medex', roles: ['escort-nurse'], bigRegistration: '19012345601', purpose: 'departure' };
    const refused = stack.world.persons.find((p) => p.vNumber === DEMO_V_NUMBERS.consentRefused)!;
    const body = JSON.stringify({
      query: ENTITIES,
      variables: { r: [representation, { __typename: 'Person', vNumber: refused.vNumber, plannedDepartureAt: refused.departureAt!.toISOString() }] },
    });
    const result = await post(body, signRequest(stack.signingSecret, nurse, body));
    expect(result.status).toBe(200);
    const [given, denied] = result.body.data._entities;
    expect(given.medicalDossier.conditions.map((c: Json) => c.code)).toEqual(['E10.9']);
    expect(denied.vNumber).toBe(refused.vNumber);
    expect(denied.medicalDossier).toBeNull();
    expect(result.body.errors).toHaveLength(1);
    expect(result.body.errors[0]).toMatchObject({ path: ['_entities', 1, 'medicalDossier'], extensions: { code: 'FORBIDDEN', rule: 'dossier-for-escort-with-consent' } });
    expect(result.text).not.toContain('J45.9');
  });
});
