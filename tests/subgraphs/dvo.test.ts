import { closeEmbedded } from '../../lib/db/open';
import { DEMO_V_NUMBERS, type DemoPerson } from '../../lib/demo/world';
import type { Identity } from '../../lib/identity/identity';
import { definition } from '../../subgraphs/dvo';
import { bootSubgraph, TEST_IDENTITY, type BootedSubgraph } from '../support/subgraph';

const HOUR = 3_600_000;

const PROVENANCE = 'provenance { partner recordedByRole recordedAt confirmedAt obtainedBy stale }';
const CLASSIFICATION = `id level justification assessedAt ${PROVENANCE}`;
const ORDER_FIELDS = `
  id kind fromLocation toLocation plannedPickupAt actualPickupAt
  person { vNumber }
  pickupChanges { id previousPickupAt newPickupAt changedAt reason ${PROVENANCE} }
  classification { ${CLASSIFICATION} }
  restraintDecisions { id means justification decidedAt classification { ${CLASSIFICATION} } ${PROVENANCE} }
  ${PROVENANCE}`;

const PERSONS = `query($r: [_Any!]!) {
  _entities(representations: $r) { ... on Person { vNumber transportOrders { ${ORDER_FIELDS} } } }
}`;

const RECORD = `mutation($input: RestraintDecisionInput!) {
  recordRestraintDecision(input: $input) {
    id means justification decidedAt
    classification { id level }
    ${PROVENANCE}
  }
}`;

/* eslint-disable @typescript-eslint/no-explicit-any */
let sg: BootedSubgraph;

function personOf(vNumber: string): DemoPerson {
  const person = sg.world.persons.find((p) => p.vNumber === vNumber);
  if (!person) throw new Error(`no demo person ${vNumber}`);
  return person;
}

function representation(person: DemoPerson, withDeparture = true) {
  return {
    __typename: 'Person',
    vNumber: person.vNumber,
    plannedDepartureAt: withDeparture && person.departureAt ? person.departureAt.toISOString() : null,
  };
}

async function ordersOf(vNumber: string, withDeparture = true): Promise<any[] | null> {
  const result = await sg.run(PERSONS, { r: [representation(personOf(vNumber), withDeparture)] });
  expect(result.errors).toBeUndefined();
  return (result.data as any)._entities[0].transportOrders;
}

async function decisionCount(): Promise<number> {
  const rows = await sg.store.query<{ n: number }>('SELECT count(*)::int AS n FROM dvo.restraint_decision');
  return rows[0]!.n;
}

beforeAll(async () => {
  sg = await bootSubgraph(definition);
});

afterAll(async () => {
  await sg?.close();
  await closeEmbedded();
});

describe('dvo: transport orders of the featured persons', () => {
  it('2044001001 has a transfer and a ride to the airport four hours before departure, by pickup time', async () => {
    const person = personOf(DEMO_V_NUMBERS.consentGiven);
    const orders = (await ordersOf(person.vNumber))!;
    expect(orders.map((o) => o.kind)).toEqual(['TRANSFER', 'TO_AIRPORT']);
    const pickups = orders.map((o) => Date.parse(o.plannedPickupAt));
    expect(pickups[0]).toBeLessThan(pickups[1]!);

    const [transfer, ride] = orders;
    expect(transfer.fromLocation).toBe('Detentiecentrum Zeist');
    expect(transfer.toLocation).toBe('Detentiecentrum Rotterdam');
    expect(transfer.actualPickupAt).not.toBeNull();
    expect(ride.fromLocation).toBe('Detentiecentrum Rotterdam');
    expect(ride.toLocation).toMatch(/^Schiphol/);
    expect(Date.parse(ride.plannedPickupAt)).toBe(person.departureAt!.getTime() - 4 * HOUR);
    expect(ride.actualPickupAt).toBeNull();
    expect(ride.person).toEqual({ vNumber: person.vNumber });
    expect(ride.provenance).toMatchObject({ partner: 'DVO', recordedByRole: 'transport-planner', obtainedBy: null, stale: false });
    expect(ride.provenance.confirmedAt).toBe(sg.world.reference.toISOString());
  });

  it('2044001001: every move of the pickup is kept, oldest first, ending at the planned pickup', async () => {
    const ride = (await ordersOf(DEMO_V_NUMBERS.consentGiven))!.find((o) => o.kind === 'TO_AIRPORT');
    const changes: any[] = ride.pickupChanges;
    expect(changes).toHaveLength(2);
    const changedAt = changes.map((c) => Date.parse(c.changedAt));
    expect(changedAt[0]).toBeLessThan(changedAt[1]!);
    expect(changes[1].previousPickupAt).toBe(changes[0].newPickupAt);
    expect(changes[changes.length - 1].newPickupAt).toBe(ride.plannedPickupAt);
    for (const change of changes) {
      expect(change.previousPickupAt).not.toBe(change.newPickupAt);
      expect(change.reason.length).toBeGreaterThan(10);
      expect(change.provenance.partner).toBe('DVO');
    }
    expect(changes.map((c) => c.provenance.recordedByRole)).toEqual(['transport-planner', 'transport-officer']);
    expect(changes[0].reason).toBe('Flight time changed by the carrier');
  });

  it('2044001001 is extra-secured with the analyst\'s justification and restraint decisions resting on it', async () => {
    const orders = (await ordersOf(DEMO_V_NUMBERS.consentGiven))!;
    for (const order of orders) {
      expect(order.classification.level).toBe('EXTRA_SECURED');
      expect(order.classification.justification.trim().length).toBeGreaterThanOrEqual(20);
      expect(order.classification.provenance.recordedByRole).toBe('risk-analyst');
    }
    const ride = orders.find((o) => o.kind === 'TO_AIRPORT');
    expect(ride.classification.justification).toMatch(/assaulted an escort officer/);
    expect(ride.restraintDecisions).toHaveLength(1);
    const [decision] = ride.restraintDecisions;
    expect(decision.means).toEqual(['HANDCUFFS']);
    expect(decision.justification).toMatch(/^Individual assessment: /);
    expect(decision.classification.id).toBe(ride.classification.id);
    expect(decision.classification.level).toBe('EXTRA_SECURED');
    expect(decision.provenance).toMatchObject({ partner: 'DVO', recordedByRole: 'risk-analyst', stale: false });
  });

  it('2044001004 is extra-secured without restraints and had its pickup moved', async () => {
    const person = personOf(DEMO_V_NUMBERS.stale);
    const orders = (await ordersOf(person.vNumber))!;
    expect(orders).toHaveLength(1);
    const [ride] = orders;
    expect(ride.kind).toBe('TO_AIRPORT');
    expect(ride.classification.level).toBe('EXTRA_SECURED');
    expect(ride.restraintDecisions).toEqual([]);
    expect(ride.pickupChanges.length).toBeGreaterThanOrEqual(1);
    expect(ride.pickupChanges[ride.pickupChanges.length - 1].newPickupAt).toBe(ride.plannedPickupAt);
    expect(Date.parse(ride.plannedPickupAt)).toBeLessThan(person.departureAt!.getTime());
  });

  it('2044001002 has a standard ride without changes or restraints', async () => {
    const person = personOf(DEMO_V_NUMBERS.consentRefused);
    const [ride, ...rest] = (await ordersOf(person.vNumber))!;
    expect(rest).toEqual([]);
    expect(ride.classification.level).toBe('STANDARD');
    expect(ride.pickupChanges).toEqual([]);
    expect(ride.restraintDecisions).toEqual([]);
    expect(Date.parse(ride.plannedPickupAt)).toBe(person.departureAt!.getTime() - 3 * HOUR);
  });

  it('2044001005 (no departure) is unknown to DV&O: transportOrders is null', async () => {
    expect(await ordersOf(DEMO_V_NUMBERS.noDeparture)).toBeNull();
  });

  it('every generated person with a departure has a ride to the airport before it', async () => {
    const withDeparture = sg.world.persons.filter((p) => p.departureAt);
    const result = await sg.run(PERSONS, { r: withDeparture.map((p) => representation(p)) });
    expect(result.errors).toBeUndefined();
    const entities = (result.data as any)._entities as any[];
    entities.forEach((entity, i) => {
      const person = withDeparture[i]!;
      const rides = entity.transportOrders.filter((o: any) => o.kind === 'TO_AIRPORT');
      expect(rides).toHaveLength(1);
      const lead = person.departureAt!.getTime() - Date.parse(rides[0].plannedPickupAt);
      expect(lead).toBeGreaterThanOrEqual(2 * HOUR);
      expect(lead).toBeLessThanOrEqual(6 * HOUR);
      expect(rides[0].classification.level).toBe(person.transportClass);
      expect(rides[0].pickupChanges.length > 0).toBe(person.pickupMoved);
      expect(rides[0].restraintDecisions.length > 0).toBe(person.restraints);
    });
  });
});

describe('dvo: staleness', () => {
  it('a fact confirmed more than 7 days before departure is stale, a recent one is not', async () => {
    const old = sg.world.persons.find((p) => p.index >= 5 && p.departureAt && p.factAgeDays.dvo >= 8);
    expect(old).toBeDefined();
    const orders = (await ordersOf(old!.vNumber))!;
    expect(orders.length).toBeGreaterThan(0);
    for (const order of orders) {
      expect(order.provenance.stale).toBe(true);
      expect(order.classification.provenance.stale).toBe(true);
    }
    const recent = (await ordersOf(DEMO_V_NUMBERS.consentRefused))!;
    expect(recent[0].provenance.stale).toBe(false);
  });

  it('is judged against the planned departure when there is one, else against now', async () => {
    // Confirmed yesterday, leaves in twelve days: 13 days before departure, but fresh today.
    const againstDeparture = (await ordersOf(DEMO_V_NUMBERS.reception, true))!;
    expect(againstDeparture[0].provenance.stale).toBe(true);
    const againstNow = (await ordersOf(DEMO_V_NUMBERS.reception, false))!;
    expect(againstNow[0].provenance.stale).toBe(false);
  });
});

describe('dvo: TransportOrder as an entity', () => {
  it('resolves by id through Query.transportOrder and _entities; unknown ids give null', async () => {
    const ride = (await ordersOf(DEMO_V_NUMBERS.consentGiven))!.find((o) => o.kind === 'TO_AIRPORT');
    const byQuery = await sg.run(`query($id: ID!) { transportOrder(id: $id) { id kind plannedPickupAt person { vNumber } classification { id } } }`, {
      id: ride.id,
    });
    expect(byQuery.errors).toBeUndefined();
    expect((byQuery.data as any).transportOrder).toEqual({
      id: ride.id,
      kind: 'TO_AIRPORT',
      plannedPickupAt: ride.plannedPickupAt,
      person: { vNumber: DEMO_V_NUMBERS.consentGiven },
      classification: { id: ride.classification.id },
    });

    const unknown = await sg.run(`query { transportOrder(id: "00000000-0000-0000-0000-000000000000") { id } }`);
    expect(unknown.errors).toBeUndefined();
    expect((unknown.data as any).transportOrder).toBeNull();

    const entities = await sg.run(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on TransportOrder { id fromLocation pickupChanges { id } } } }`,
      { r: [{ __typename: 'TransportOrder', id: ride.id }, { __typename: 'TransportOrder', id: 'no-such-order' }] },
    );
    expect(entities.errors).toBeUndefined();
    expect((entities.data as any)._entities).toEqual([
      { id: ride.id, fromLocation: 'Detentiecentrum Rotterdam', pickupChanges: ride.pickupChanges.map((c: any) => ({ id: c.id })) },
      null,
    ]);
  });

  it('refuses a representation whose vNumber is not 10 digits, without echoing it', async () => {
    const result = await sg.run(PERSONS, { r: [{ __typename: 'Person', vNumber: '12345abcde', plannedDepartureAt: null }] });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).not.toContain('12345abcde');
  });
});

describe('dvo: recordRestraintDecision', () => {
  async function rideOf(vNumber: string): Promise<any> {
    return (await ordersOf(vNumber))!.find((o) => o.kind === 'TO_AIRPORT');
  }

  it('stores a decision with trimmed justification and the caller\'s first role, and returns it', async () => {
    const ride = await rideOf(DEMO_V_NUMBERS.stale);
    const before = await decisionCount();
    const officer: Identity = { ...TEST_IDENTITY, roles: ['transport-officer', 'risk-analyst'] };
    const justification = 'Individual assessment: threatened staff at the gate today; leg cuffs until boarding.';
    const result = await sg.run(
      RECORD,
      {
        input: {
          transportOrderId: ride.id,
          classificationId: ride.classification.id,
          means: ['LEG_CUFFS', 'HANDCUFFS'],
          justification: `   ${justification}\n`,
        },
      },
      officer,
    );
    expect(result.errors).toBeUndefined();
    const decision = (result.data as any).recordRestraintDecision;
    expect(decision.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(decision.means).toEqual(['LEG_CUFFS', 'HANDCUFFS']);
    expect(decision.justification).toBe(justification);
    expect(decision.classification).toEqual({ id: ride.classification.id, level: 'EXTRA_SECURED' });
    expect(decision.provenance).toMatchObject({ partner: 'DVO', recordedByRole: 'transport-officer', stale: false });
    expect(decision.provenance.recordedAt).toBe(decision.decidedAt);
    expect(decision.provenance.confirmedAt).toBe(decision.decidedAt);
    expect(Math.abs(Date.parse(decision.decidedAt) - Date.now())).toBeLessThan(60_000);
    expect(await decisionCount()).toBe(before + 1);

    const after = await rideOf(DEMO_V_NUMBERS.stale);
    expect(after.restraintDecisions.map((d: any) => d.id)).toEqual([decision.id]);
    expect(after.restraintDecisions[0].classification.id).toBe(ride.classification.id);
  });

  describe('refuses bad input with BAD_USER_INPUT and stores nothing', () => {
    let ride: any;
    let otherRide: any;
    const good = () => ({
      transportOrderId: ride.id,
      classificationId: ride.classification.id,
      means: ['HANDCUFFS'],
      justification: 'Individual assessment: resisted at the previous attempt to board.',
    });

    beforeAll(async () => {
      ride = await rideOf(DEMO_V_NUMBERS.consentGiven);
      otherRide = await rideOf(DEMO_V_NUMBERS.consentRefused);
    });

    // Objects, not tuples: jest would take a trailing parameter missing from a tuple for `done`.
    const cases: Array<{ name: string; input: () => Record<string, unknown>; field: string; secret?: string }> = [
      {
        name: 'a justification shorter than 20 characters once trimmed',
        input: () => ({ ...good(), justification: '    too short, sorry       ' }),
        field: 'justification',
      },
      { name: 'a blank justification', input: () => ({ ...good(), justification: ' \n\t ' }), field: 'justification' },
      { name: 'no means', input: () => ({ ...good(), means: [] }), field: 'means' },
      { name: 'the same means twice', input: () => ({ ...good(), means: ['HANDCUFFS', 'HANDCUFFS'] }), field: 'means' },
      {
        name: 'an unknown transport order',
        input: () => ({ ...good(), transportOrderId: 'order-that-does-not-exist' }),
        field: 'transportOrderId',
        secret: 'order-that-does-not-exist',
      },
      {
        name: 'an unknown classification',
        input: () => ({ ...good(), classificationId: 'classification-unknown' }),
        field: 'classificationId',
        secret: 'classification-unknown',
      },
      {
        name: 'the classification of another order',
        input: () => ({ ...good(), classificationId: otherRide.classification.id }),
        field: 'classificationId',
      },
    ];

    it.each(cases)('$name', async ({ input, field, secret }) => {
      const before = await decisionCount();
      const result = await sg.run(RECORD, { input: input() });
      expect((result.data as any)?.recordRestraintDecision ?? null).toBeNull();
      expect(result.errors).toHaveLength(1);
      const [error] = result.errors!;
      expect(error!.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error!.extensions?.field).toBe(field);
      if (secret) expect(error!.message).not.toContain(secret);
      expect(await decisionCount()).toBe(before);
    });

    it('the classification of another order is refused although both exist', async () => {
      expect(otherRide.classification.id).not.toBe(ride.classification.id);
      const before = await decisionCount();
      const result = await sg.run(RECORD, { input: { ...good(), classificationId: otherRide.classification.id } });
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'classificationId' });
      expect(result.errors?.[0]?.message).not.toContain(otherRide.classification.id);
      expect(await decisionCount()).toBe(before);
    });
  });

  it('the database itself refuses a decision without justification, means or a matching classification', async () => {
    const ride = await rideOf(DEMO_V_NUMBERS.consentGiven);
    const other = await rideOf(DEMO_V_NUMBERS.consentRefused);
    const before = await decisionCount();
    const insert = (classificationId: string | null, means: string[], justification: string) =>
      sg.store.query(
        `INSERT INTO dvo.restraint_decision
           (id, transport_order_id, classification_id, v_number, means, justification, decided_at, recorded_by_role, recorded_at, confirmed_at)
         VALUES (gen_random_uuid()::text, $1, $2, $3, $4::text[], $5, now(), 'risk-analyst', now(), now())`,
        [ride.id, classificationId, DEMO_V_NUMBERS.consentGiven, means, justification],
      );
    const long = 'Individual assessment written out at length.';
    await expect(insert(ride.classification.id, ['HANDCUFFS'], '   nineteen chars!!   ')).rejects.toThrow(/justification/);
    await expect(insert(ride.classification.id, [], long)).rejects.toThrow(/means/);
    await expect(insert(ride.classification.id, ['HANDCUFFS', 'HANDCUFFS'], long)).rejects.toThrow(/means/);
    await expect(insert(null, ['HANDCUFFS'], long)).rejects.toThrow(/classification_id/);
    await expect(insert(other.classification.id, ['HANDCUFFS'], long)).rejects.toThrow(/foreign key/);
    expect(await decisionCount()).toBe(before);
  });
});

describe('dvo: batching', () => {
  it('costs the same number of statements for 10 and for 50 persons', async () => {
    const measure = async (count: number) => {
      const persons = sg.world.persons.slice(0, count);
      const before = sg.store.stats.statements;
      const result = await sg.run(PERSONS, { r: persons.map((p) => representation(p)) });
      expect(result.errors).toBeUndefined();
      const entities = (result.data as any)._entities as any[];
      expect(entities).toHaveLength(count);
      expect(entities.filter((e) => e.transportOrders?.some((o: any) => o.restraintDecisions.length > 0)).length).toBeGreaterThan(0);
      return sg.store.stats.statements - before;
    };
    const ten = await measure(10);
    const fifty = await measure(50);
    // Orders, pickup changes, classifications and decisions (with their classification): one each.
    expect(ten).toBe(4);
    expect(fifty).toBe(ten);
  });
});
