import { isNonNullType, type GraphQLObjectType } from 'graphql';
import { DEMO_V_NUMBERS, type DemoPerson } from '../../lib/demo/world';
import type { Caller, SubjectFacts } from '../../lib/policy/compiled';
import { startTestStack, type GraphQLResponse, type TestStack } from '../support/stack';
import {
  apiSchema,
  coordinatesOf,
  dossierValues,
  expectNoDossierValue,
  forbiddenByPath,
  loadPolicy,
  printSelections,
  reachableCoordinates,
  representativeRoles,
  selectAll,
  type FieldSelection,
  type Json,
} from './support';

/**
 * The access matrix, end to end: for every audience of the policy, the FULL person query
 * (every field reachable from Query.person, generated from the gateway's API schema) is
 * sent through the gateway, and the answer is held against what the compiled policy
 * decides for that caller, field by field and path by path. Nothing here names a field:
 * a field added to a partner's schema or a rule changed in the policy changes the
 * expectations with it.
 */

jest.setTimeout(180_000);

const policy = loadPolicy();
const schema = apiSchema();
const queryType = schema.getQueryType()!;
const personField = queryType.getFields().person!;
const ROOT: FieldSelection = {
  name: 'person',
  coordinate: `${queryType.name}.person`,
  type: personField.type,
  children: selectAll(schema, schema.getType('Person') as GraphQLObjectType),
};
const FULL_PERSON_QUERY = `query FullPerson($vNumber: String!) { person(vNumber: $vNumber) { ${printSelections(ROOT.children!)} } }`;
const REACHABLE = reachableCoordinates(schema, queryType.name, 'person');
const AUDIENCES = representativeRoles(policy);
/**
 * The featured person (detained, consent given), the one who refused consent (conditional
 * fields differ), and one in reception without medical particulars (COA's current location).
 */
const PERSONS = [DEMO_V_NUMBERS.consentGiven, DEMO_V_NUMBERS.consentRefused, DEMO_V_NUMBERS.reception];
/** Persons with a medical dossier. */
const WITH_DOSSIER = [DEMO_V_NUMBERS.consentGiven, DEMO_V_NUMBERS.consentRefused];

interface Expected {
  /** `a.b.0.c` → the extensions a FORBIDDEN error at that path must carry. */
  forbidden: Map<string, Record<string, unknown>>;
  /** Allowed leaf values (and composite presence) by path, for comparison across audiences. */
  values: Map<string, unknown>;
  /** Coordinates whose decision was checked against an actual value in this response. */
  checked: Set<string>;
  /** Coordinates that came back with a non-null value. */
  withValue: Set<string>;
}

function isAllowed(caller: Caller, facts: SubjectFacts, coordinate: string): { allowed: boolean; rule: string } {
  return policy.resolve(policy.decide(caller, coordinate), facts);
}

/**
 * Walks the response beside the generated selection tree, asserting each field against
 * the policy: allowed fields are present (their key exists, the value is whatever the
 * data holds), denied ones are null and must have a FORBIDDEN error at their exact path.
 */
function walk(caller: Caller, facts: SubjectFacts, value: Json, selections: readonly FieldSelection[], path: Array<string | number>, out: Expected): void {
  for (const selection of selections) {
    const fieldPath = [...path, selection.name];
    const key = fieldPath.join('.');
    const { allowed, rule } = isAllowed(caller, facts, selection.coordinate);
    out.checked.add(selection.coordinate);
    expect(Object.prototype.hasOwnProperty.call(value, selection.name) ? key : `${key} missing`).toBe(key);
    const child = value[selection.name];
    if (!allowed) {
      // A denied non-null field would null its parent instead; no audience has one today.
      if (isNonNullType(selection.type)) throw new Error(`${selection.coordinate} is non-null and denied: extend the matrix for parent nulling`);
      expect({ key, value: child }).toEqual({ key, value: null });
      const className = policy.classOf(selection.coordinate);
      out.forbidden.set(key, { code: 'FORBIDDEN', field: selection.coordinate, rule, ...(className ? { class: className } : {}) });
      continue;
    }
    if (selection.children === undefined) {
      out.values.set(key, child);
      if (child !== null) out.withValue.add(selection.coordinate);
      continue;
    }
    if (child === null) {
      out.values.set(key, null);
      continue;
    }
    out.withValue.add(selection.coordinate);
    if (Array.isArray(child)) {
      out.values.set(key, `list of ${child.length}`);
      child.forEach((item, i) => {
        if (item !== null) walk(caller, facts, item, selection.children!, [...fieldPath, i], out);
      });
    } else {
      out.values.set(key, 'object');
      walk(caller, facts, child, selection.children, fieldPath, out);
    }
  }
}

function expectAsThePolicyDecides(response: GraphQLResponse<Json>, caller: Caller, facts: SubjectFacts): Expected {
  expect(response.status).toBe(200);
  const out: Expected = { forbidden: new Map(), values: new Map(), checked: new Set(), withValue: new Set() };
  expect(response.body.data).toBeTruthy();
  walk(caller, facts, response.body.data, [ROOT], [], out);
  // Exactly the expected FORBIDDEN errors, each at its path with field, rule and class; no others.
  const actual = forbiddenByPath(response);
  expect([...actual.keys()].sort()).toEqual([...out.forbidden.keys()].sort());
  for (const [path, extensions] of out.forbidden) {
    // The gateway adds the subgraph's name to errors a subgraph raised; nothing else may be added.
    const { serviceName: _service, ...received } = actual.get(path) ?? {};
    expect({ path, extensions: received }).toEqual({ path, extensions });
  }
  const others = (response.body.errors ?? []).filter((e) => e.extensions?.code !== 'FORBIDDEN').map((e) => e.extensions?.code);
  expect(others).toEqual([]);
  // No denial without a value hint: messages name the field only.
  for (const error of response.body.errors ?? []) expect(error.message).toBe(`Not authorised to read ${error.extensions!.field}`);
  return out;
}

describe('access matrix: the full person query for every audience', () => {
  let stack: TestStack;
  const responses = new Map<string, GraphQLResponse<Json>>();
  const checkedAnswers = new Map<string, Expected>();
  const keyOf = (vNumber: string, audience: string) => `${vNumber}/${audience}`;

  const demoPerson = (vNumber: string): DemoPerson => {
    const person = stack.world.persons.find((p) => p.vNumber === vNumber);
    if (!person) throw new Error('person not in the demo world');
    return person;
  };
  const responseOf = (vNumber: string, audience: string): GraphQLResponse<Json> => responses.get(keyOf(vNumber, audience))!;

  /** The answer of one audience for one person, held against the policy (once; memoised). */
  const expectedOf = (vNumber: string, audience: string): Expected => {
    const key = keyOf(vNumber, audience);
    let expected = checkedAnswers.get(key);
    if (!expected) {
      const { purpose, organisation } = AUDIENCES.find((a) => a.audience === audience)!;
      const facts: SubjectFacts = { escortConsent: demoPerson(vNumber).escortConsent === 'GIVEN' };
      expected = expectAsThePolicyDecides(responseOf(vNumber, audience), { audience, purpose, organisation }, facts);
      checkedAnswers.set(key, expected);
    }
    return expected;
  };

  beforeAll(async () => {
    stack = await startTestStack();
    for (const vNumber of PERSONS) {
      for (const { audience, role } of AUDIENCES) {
        responses.set(keyOf(vNumber, audience), await stack.query(FULL_PERSON_QUERY, { role, variables: { vNumber } }));
      }
    }
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('generates a query that selects every field reachable from Query.person, each classified', () => {
    const covered = coordinatesOf([ROOT]);
    expect(covered.size).toBe(REACHABLE.size);
    expect([...covered].sort()).toEqual([...REACHABLE].sort());
    // A broad schema: all five partners contribute to the person.
    expect(REACHABLE.size).toBeGreaterThan(100);
    const unclassified = [...REACHABLE].filter((c) => policy.classOf(c) === undefined);
    expect(unclassified).toEqual([]);
    // The back references to the person are selected (shallowly), not skipped.
    expect(covered.has('DeparturePlan.person')).toBe(true);
    expect(covered.has('TransportOrder.person')).toBe(true);
  });

  it('has one representative per audience of the policy, each mapped to its audience by the policy', () => {
    expect(AUDIENCES.map((a) => a.audience).sort()).toEqual(Object.keys(policy.document.audiences).sort());
    for (const { audience, role } of AUDIENCES) {
      const big = policy.document.audiences[audience]!.requireBigRegistration ? '19012345601' : undefined;
      expect(policy.audienceFor([role], big)).toBe(audience);
    }
  });

  describe.each(PERSONS)('person %s', (vNumber) => {
    it.each(AUDIENCES.map((a) => [a.audience, a] as const))('%s: exactly the fields the policy allows, denied ones null with FORBIDDEN at their paths', (audience) => {
      const expected = expectedOf(vNumber, audience);
      expect(expected.checked.size).toBeGreaterThan(0);
    });

    it('every allowed value is the same for every audience that may read it (nothing allowed is withheld)', () => {
      const entries = AUDIENCES.map(({ audience }) => [audience, expectedOf(vNumber, audience)] as const);
      let compared = 0;
      for (let i = 0; i < entries.length; i++) {
        for (let j = i + 1; j < entries.length; j++) {
          const [a, left] = entries[i]!;
          const [b, right] = entries[j]!;
          for (const [path, value] of left.values) {
            if (!right.values.has(path)) continue;
            compared++;
            expect({ path, a, b, value: right.values.get(path) }).toEqual({ path, a, b, value });
          }
        }
      }
      expect(compared).toBeGreaterThan(100);
    });
  });

  it('checked every reachable field against a real answer, and saw a value for every field the policy lets anyone read', () => {
    const checked = new Set<string>();
    const withValue = new Set<string>();
    const readableBySomeone = new Set<string>();
    for (const vNumber of PERSONS) {
      for (const { audience, purpose, organisation } of AUDIENCES) {
        const expected = expectedOf(vNumber, audience);
        expected.checked.forEach((c) => checked.add(c));
        expected.withValue.forEach((c) => withValue.add(c));
        for (const c of REACHABLE) if (policy.decide({ audience, purpose, organisation }, c).effect !== 'deny') readableBySomeone.add(c);
      }
    }
    expect(checked.size).toBe(REACHABLE.size);
    expect([...checked].sort()).toEqual([...REACHABLE].sort());
    // Every field that some audience may read came back with a value at least once, so a
    // field that the gateway or a subgraph silently drops cannot pass as "no data".
    const neverSeen = [...readableBySomeone].filter((c) => !withValue.has(c));
    expect(neverSeen).toEqual([]);
    expect(readableBySomeone.size).toBe(REACHABLE.size);
  });

  it('returns the demo facts of 2044001001 to the audiences that may read them', () => {
    const p = demoPerson(DEMO_V_NUMBERS.consentGiven);
    const data = (audience: string) => responseOf(p.vNumber, audience).body.data.person;
    const doctor = data('medical-professional');
    const escort = data('escort-nurse');
    const officer = data('chain-officer');
    for (const person of [doctor, escort, officer]) {
      expect(person).toMatchObject({ vNumber: p.vNumber, name: { given: p.givenName, family: p.familyName }, nationality: p.nationality, dateOfBirth: p.dateOfBirth });
      expect(new Date(person.plannedDepartureAt).getTime()).toBe(p.departureAt!.getTime());
      expect(person.returnCase.departure.escort).toMatchObject({ kind: p.escort, medicalEscort: true });
      expect(person.detention).not.toBeNull();
      expect(person.healthNotice.fitToTravel).toBe('WITH_CONDITIONS');
      expect(person.transportOrders.length).toBeGreaterThan(0);
      expect(person.transportOrders.some((o: Json) => o.pickupChanges.length > 0)).toBe(p.pickupMoved);
      expect(person.belongings.some((b: Json) => b.changes.some((c: Json) => c.lastMinute === true))).toBe(p.lastMinuteBelongingsChange);
      expect(person.characteristics.height.obtainedBy).toBe(p.heightObtainedBy);
    }
    // The escort nurse's purpose (departure) opens the risk assessment; the detention officer's does not.
    expect(escort.transportOrders.some((o: Json) => o.classification?.level === p.transportClass)).toBe(true);
    expect(escort.transportOrders.some((o: Json) => (o.restraintDecisions ?? []).length > 0)).toBe(p.restraints);
    expect(officer.transportOrders.every((o: Json) => o.classification === null && o.restraintDecisions === null)).toBe(true);
    for (const person of [escort, officer]) expect(person.detention.observations.length).toBeGreaterThan(0);
    expect(doctor.detention.observations).toBeNull();
    for (const person of [doctor, escort]) {
      expect(person.medicalDossier.conditions.map((c: Json) => c.code)).toEqual(['E10.9']);
      expect(person.escortConsent.status).toBe(p.escortConsent);
    }
    expect(officer.medicalDossier).toBeNull();
    expect(officer.escortConsent).toBeNull();
    expect(data('privacy-officer')).toBeNull();
  });

  it('gives the transport officer none of the dossier values the doctor reads, anywhere in the answer', async () => {
    for (const vNumber of WITH_DOSSIER) {
      const doctor = responseOf(vNumber, 'medical-professional');
      const values = dossierValues(doctor.body.data);
      expect(values.size).toBeGreaterThanOrEqual(4);
      const officer = await stack.query(FULL_PERSON_QUERY, { role: 'transport-officer', variables: { vNumber } });
      expect(officer.status).toBe(200);
      expect(officer.body.data.person.vNumber).toBe(vNumber);
      expect(officer.body.data.person.medicalDossier).toBeNull();
      expect(forbiddenByPath(officer).get('person.medicalDossier')).toMatchObject({ code: 'FORBIDDEN', field: 'Person.medicalDossier' });
      expectNoDossierValue(officer, values);
    }
  });
});
