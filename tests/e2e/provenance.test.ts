import { daysBefore, DEMO_V_NUMBERS } from '../../lib/demo/world';
import { provenanceOf } from '../../lib/subgraph/kit';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * Provenance (herkomst) and currency (actueel) of facts about the featured demo persons,
 * through the gateway. Each partner confirmed a person's facts `factAgeDays.<partner>`
 * days before the world's reference (lib/demo/world.ts); a fact is stale when that lies
 * more than the window (STALENESS_WINDOW_DAYS, default 7) before the planned departure,
 * or before now when no departure is planned.
 */

jest.setTimeout(120_000);

const HOUR = 3600_000;
const DAY = 24 * HOUR;

const PROVENANCE = 'partner recordedByRole recordedAt confirmedAt obtainedBy stale';
const FACTS = /* GraphQL */ `
  query Facts($v: String!) {
    person(vNumber: $v) {
      plannedDepartureAt
      identityProvenance { ${PROVENANCE} }
      returnCase { provenance { ${PROVENANCE} } }
      detention { provenance { ${PROVENANCE} } }
      transportOrders { kind provenance { ${PROVENANCE} } }
      characteristics {
        height { value unit obtainedBy provenance { ${PROVENANCE} } }
        weight { value unit obtainedBy provenance { ${PROVENANCE} } }
      }
      healthNotice { provenance { ${PROVENANCE} } }
    }
  }
`;

const iso = (date: Date) => date.toISOString();

describe('provenance and staleness through the gateway (default window: 7 days)', () => {
  let stack: TestStack;
  let reference: Date;

  beforeAll(async () => {
    stack = await startTestStack();
    reference = stack.world.reference;
  });
  afterAll(async () => {
    await stack?.close();
  });

  async function facts(vNumber: string): Promise<any> {
    const { status, body } = await stack.query(FACTS, { role: 'return-officer', variables: { v: vNumber } });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    return body.data.person;
  }

  describe('2044001004: COA and medical facts out of date before a departure in three days', () => {
    let person: any;
    beforeAll(async () => {
      person = await facts(DEMO_V_NUMBERS.stale);
    });

    it('plans the departure three days after the reference', () => {
      expect(person.plannedDepartureAt).toBe(iso(new Date(reference.getTime() + 3 * DAY)));
    });

    it('marks the COA characteristics stale, confirmed exactly 45 days before the reference', () => {
      const { height, weight } = person.characteristics;
      expect(height.value).toBe(170);
      expect(height.unit).toBe('cm');
      expect(height.obtainedBy).toBe('ESTIMATED');
      expect(height.provenance).toMatchObject({
        partner: 'COA',
        recordedByRole: 'intake-officer',
        confirmedAt: iso(daysBefore(reference, 45)),
        obtainedBy: 'ESTIMATED',
        stale: true,
      });
      expect(Date.parse(height.provenance.recordedAt)).toBeLessThanOrEqual(Date.parse(height.provenance.confirmedAt));
      expect(weight.obtainedBy).toBe('SELF_REPORTED');
      expect(weight.provenance).toMatchObject({
        partner: 'COA',
        confirmedAt: iso(daysBefore(reference, 45)),
        obtainedBy: 'SELF_REPORTED',
        stale: true,
      });
    });

    it('marks the medical health notice stale, confirmed exactly 21 days before the reference', () => {
      expect(person.healthNotice.provenance).toEqual({
        partner: 'MEDICAL',
        recordedByRole: 'medical-doctor',
        // Recorded an hour before the doctor's review, which is the confirmation.
        recordedAt: iso(daysBefore(reference, 21, 1)),
        confirmedAt: iso(daysBefore(reference, 21)),
        obtainedBy: null,
        stale: true,
      });
    });

    it('keeps the recently confirmed facts of the other partners current', () => {
      expect(person.identityProvenance).toMatchObject({ partner: 'DTV', confirmedAt: iso(daysBefore(reference, 1)), obtainedBy: null, stale: false });
      expect(person.returnCase.provenance).toMatchObject({ partner: 'DTV', recordedByRole: 'return-officer', stale: false });
      expect(person.detention.provenance).toMatchObject({ partner: 'DJI', confirmedAt: iso(daysBefore(reference, 2)), stale: false });
      const ride = person.transportOrders.find((o: any) => o.kind === 'TO_AIRPORT');
      expect(ride.provenance).toMatchObject({ partner: 'DVO', confirmedAt: iso(daysBefore(reference, 1)), stale: false });
    });
  });

  describe('2044001001: leaves in eight hours', () => {
    let person: any;
    beforeAll(async () => {
      person = await facts(DEMO_V_NUMBERS.consentGiven);
    });

    it('has DJI detention facts confirmed at the reference, current', () => {
      const provenance = person.detention.provenance;
      expect(provenance).toMatchObject({
        partner: 'DJI',
        recordedByRole: 'detention-officer',
        confirmedAt: iso(reference),
        obtainedBy: null,
        stale: false,
      });
      // Recorded at admission, weeks before it was last confirmed.
      expect(Date.parse(provenance.recordedAt)).toBeLessThan(reference.getTime() - 30 * DAY);
    });

    it('has a measured height whose COA confirmation, 30 days old, is stale', () => {
      expect(person.characteristics.height.obtainedBy).toBe('MEASURED');
      expect(person.characteristics.height.provenance).toMatchObject({
        partner: 'COA',
        confirmedAt: iso(daysBefore(reference, 30)),
        obtainedBy: 'MEASURED',
        stale: true,
      });
      expect(person.healthNotice.provenance).toMatchObject({ partner: 'MEDICAL', confirmedAt: iso(daysBefore(reference, 2)), stale: false });
    });
  });

  it.each([
    [DEMO_V_NUMBERS.consentGiven, 'MEASURED', 178.5],
    [DEMO_V_NUMBERS.consentRefused, 'ESTIMATED', 165],
    [DEMO_V_NUMBERS.reception, 'SELF_REPORTED', 181],
  ])('tells how the height of %s was obtained: %s', async (vNumber, obtainedBy, value) => {
    const person = await facts(vNumber);
    expect(person.characteristics.height).toMatchObject({ value, unit: 'cm', obtainedBy, provenance: { partner: 'COA', obtainedBy } });
    expect(stack.world.persons.find((p) => p.vNumber === vNumber)!.heightObtainedBy).toBe(obtainedBy);
  });

  it('judges everything of 2044001003, leaving in twelve days, as stale: it must be confirmed in the final week', async () => {
    const person = await facts(DEMO_V_NUMBERS.reception);
    expect(person.plannedDepartureAt).toBe(iso(new Date(reference.getTime() + 12 * DAY)));
    // Confirmed one or two days ago, yet more than 7 days before the departure.
    expect(person.identityProvenance).toMatchObject({ confirmedAt: iso(daysBefore(reference, 1)), stale: true });
    expect(person.characteristics.height.provenance).toMatchObject({ confirmedAt: iso(daysBefore(reference, 2)), stale: true });
    expect(person.healthNotice.provenance).toMatchObject({ confirmedAt: iso(daysBefore(reference, 1)), stale: true });
  });

  it('judges the facts of 2044001005, with no departure planned, against now', async () => {
    const person = await facts(DEMO_V_NUMBERS.noDeparture);
    expect(person.plannedDepartureAt).toBeNull();
    expect(person.identityProvenance).toMatchObject({ confirmedAt: iso(daysBefore(reference, 3)), stale: false });
    expect(person.characteristics.height).toMatchObject({ obtainedBy: 'MEASURED', provenance: { confirmedAt: iso(daysBefore(reference, 3)), stale: false } });
  });
});

describe('the staleness window is configuration (STALENESS_WINDOW_DAYS=30)', () => {
  let stack: TestStack;
  let reference: Date;

  beforeAll(async () => {
    stack = await startTestStack({ env: { STALENESS_WINDOW_DAYS: '30' } });
    reference = stack.world.reference;
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('keeps 2044001004\'s 21-day-old health notice current, but not its 45-day-old characteristics', async () => {
    const { body } = await stack.query(FACTS, { role: 'return-officer', variables: { v: DEMO_V_NUMBERS.stale } });
    expect(body.errors).toBeUndefined();
    const person = body.data.person;
    expect(person.healthNotice.provenance).toMatchObject({ confirmedAt: iso(daysBefore(reference, 21)), stale: false });
    expect(person.characteristics.height.provenance).toMatchObject({ confirmedAt: iso(daysBefore(reference, 45)), stale: true });
  });

  it('keeps the facts of 2044001003, leaving in twelve days, current', async () => {
    const { body } = await stack.query(FACTS, { role: 'return-officer', variables: { v: DEMO_V_NUMBERS.reception } });
    expect(body.errors).toBeUndefined();
    expect(body.data.person.identityProvenance.stale).toBe(false);
    expect(body.data.person.characteristics.height.provenance.stale).toBe(false);
    expect(body.data.person.healthNotice.provenance.stale).toBe(false);
  });
});

describe('provenanceOf (lib/subgraph/kit.ts)', () => {
  const departureAt = new Date('2026-12-10T08:00:00Z');
  const now = new Date('2026-12-01T08:00:00Z');
  const row = (confirmedDaysBeforeDeparture: number) => ({
    recorded_by_role: 'reception-officer',
    recorded_at: new Date(departureAt.getTime() - 90 * DAY),
    confirmed_at: new Date(departureAt.getTime() - confirmedDaysBeforeDeparture * DAY),
    obtained_by: 'ESTIMATED' as const,
  });

  it('carries partner, role, moments and how the fact was obtained', () => {
    const provenance = provenanceOf('COA', row(3), { departureAt, now, windowDays: 7 });
    expect(provenance).toEqual({
      partner: 'COA',
      recordedByRole: 'reception-officer',
      recordedAt: new Date(departureAt.getTime() - 90 * DAY),
      confirmedAt: new Date(departureAt.getTime() - 3 * DAY),
      obtainedBy: 'ESTIMATED',
      stale: false,
    });
    expect(provenanceOf('DTV', { ...row(3), obtained_by: undefined }, { departureAt, now, windowDays: 7 }).obtainedBy).toBeNull();
  });

  it('judges a fact against the window before departure: 7 days vs 30 days', () => {
    expect(provenanceOf('COA', row(10), { departureAt, now, windowDays: 7 }).stale).toBe(true);
    expect(provenanceOf('COA', row(10), { departureAt, now, windowDays: 30 }).stale).toBe(false);
    expect(provenanceOf('COA', row(45), { departureAt, now, windowDays: 30 }).stale).toBe(true);
    expect(provenanceOf('COA', row(6), { departureAt, now, windowDays: 7 }).stale).toBe(false);
  });

  it('counts a fact confirmed exactly at the edge of the window as current', () => {
    expect(provenanceOf('COA', row(7), { departureAt, now, windowDays: 7 }).stale).toBe(false);
    const justOver = { ...row(7), confirmed_at: new Date(departureAt.getTime() - 7 * DAY - 1) };
    expect(provenanceOf('COA', justOver, { departureAt, now, windowDays: 7 }).stale).toBe(true);
  });

  it('judges against now when no departure is planned', () => {
    // Confirmed 10 days before the (absent) departure = 1 day before now.
    expect(provenanceOf('COA', row(10), { departureAt: null, now, windowDays: 7 }).stale).toBe(false);
    expect(provenanceOf('COA', row(20), { departureAt: null, now, windowDays: 7 }).stale).toBe(true);
    expect(provenanceOf('COA', row(20), { departureAt: undefined, now, windowDays: 30 }).stale).toBe(false);
  });
});
