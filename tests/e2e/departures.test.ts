import { FEATURED_COUNT, generateWorld, type DemoPerson, type DemoWorld } from '../../lib/demo/world';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * The planner's list: `departures(from, to, first, after)` through the gateway. The
 * expected persons come from the demo world: DT&V's current plan for a person is the
 * world's `departureAt` (subgraphs/dtv/demo.ts keeps rebooked persons' earlier plans only
 * as superseded rows, which the list must not show). Each node carries the person-centred
 * picture from all five partners, and the cost in SQL statements per partner does not grow
 * with the page size.
 */

jest.setTimeout(120_000);

const HOUR = 3600_000;
const DAY = 24 * HOUR;

const DEPARTURES = /* GraphQL */ `
  query Departures($from: DateTime!, $to: DateTime!, $first: Int, $after: String) {
    departures(from: $from, to: $to, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        id
        plannedAt
        escort { kind }
        person {
          vNumber
          name { given family }
          plannedDepartureAt
          detention { centre { code } observations { category } }
          belongings { description changes { kind } }
          transportOrders {
            kind
            plannedPickupAt
            pickupChanges { newPickupAt }
            classification { level }
            restraintDecisions { means }
          }
          reception { currentLocation { code } stays { location { code } } }
          characteristics { height { obtainedBy } }
          healthNotice { fitToTravel instructions { at } }
          escortConsent { status }
        }
      }
    }
  }
`;

// The escort nurse sees every section asked for here (consent status included), with
// purpose departure for the risk assessment; the dossier is not asked.
const ROLE = 'escort-nurse';

interface Page {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: any[];
}

/** Persons whose current departure lies in [from, to), in the list's order (time, then plan id = world order). */
function expectedIn(persons: DemoPerson[], from: Date, to: Date): DemoPerson[] {
  return persons
    .filter((p) => p.departureAt && p.departureAt.getTime() >= from.getTime() && p.departureAt.getTime() < to.getTime())
    .sort((a, b) => a.departureAt!.getTime() - b.departureAt!.getTime() || a.index - b.index);
}

/**
 * The default demo world, except that a few generated persons are rebooked onto the same
 * moment as another (three on one, two on another), as happens when a charter flight takes
 * several persons: keyset pagination must neither skip nor repeat persons that tie.
 * Every partner derives its demo rows from the world, so they all agree on the new times.
 */
function worldWithSharedDepartures(): { world: DemoWorld; shared: string[][] } {
  const world = generateWorld();
  const HORIZON = 2 * DAY; // keep away from departures within the day (last-minute changes)
  const candidates = world.persons.filter(
    (p) => p.index >= FEATURED_COUNT && p.departureAt && p.departureAt.getTime() - world.reference.getTime() > HORIZON,
  );
  const groups = [candidates.slice(0, 3), candidates.slice(3, 5)];
  for (const group of groups) for (const p of group.slice(1)) p.departureAt = new Date(group[0]!.departureAt!.getTime());
  return { world, shared: groups.map((group) => group.map((p) => p.vNumber)) };
}

describe('departures list through the gateway', () => {
  let stack: TestStack;
  let byVNumber: Map<string, DemoPerson>;
  let shared: string[][];

  beforeAll(async () => {
    const prepared = worldWithSharedDepartures();
    shared = prepared.shared;
    stack = await startTestStack({ world: prepared.world });
    byVNumber = new Map(stack.world.persons.map((p) => [p.vNumber, p]));
  });
  afterAll(async () => {
    await stack?.close();
  });

  async function page(variables: { from: Date; to: Date; first?: number; after?: string | null }): Promise<Page> {
    const { status, body } = await stack.query(DEPARTURES, {
      role: ROLE,
      variables: { ...variables, from: variables.from.toISOString(), to: variables.to.toISOString() },
    });
    expect(body.errors).toBeUndefined();
    expect(status).toBe(200);
    return body.data.departures as Page;
  }

  /** Walks every page of `size` and returns the pages. */
  async function walk(from: Date, to: Date, size: number): Promise<Page[]> {
    const pages: Page[] = [];
    let after: string | null = null;
    for (;;) {
      const current = await page({ from, to, first: size, after });
      pages.push(current);
      if (!current.pageInfo.hasNextPage) return pages;
      expect(current.pageInfo.endCursor).toEqual(expect.any(String));
      after = current.pageInfo.endCursor;
      // A cursor that never advances would loop forever; no window here has 50 pages.
      expect(pages.length).toBeLessThan(50);
    }
  }

  describe('a 30-day window walked in pages of 7', () => {
    let from: Date;
    let to: Date;
    let expected: DemoPerson[];
    let pages: Page[];
    let nodes: any[];

    beforeAll(async () => {
      from = stack.world.reference;
      to = new Date(from.getTime() + 30 * DAY);
      expected = expectedIn(stack.world.persons, from, to);
      pages = await walk(from, to, 7);
      nodes = pages.flatMap((p) => p.nodes);
    });

    it('has enough departures in the window to need several pages', () => {
      expect(expected.length).toBeGreaterThan(14);
      expect(pages.length).toBe(Math.ceil(expected.length / 7));
    });

    it('returns full pages of 7 until the last, with hasNextPage false only on the last', () => {
      pages.forEach((current, i) => {
        const last = i === pages.length - 1;
        expect(current.pageInfo.hasNextPage).toBe(!last);
        expect(current.nodes.length).toBe(last ? expected.length - 7 * (pages.length - 1) : 7);
        expect(current.totalCount).toBe(expected.length);
      });
    });

    it('returns exactly the persons whose current departure lies in [from, to), once each, earliest first', () => {
      const vNumbers = nodes.map((n) => n.person.vNumber);
      expect(new Set(vNumbers).size).toBe(vNumbers.length);
      expect(vNumbers).toEqual(expected.map((p) => p.vNumber));
      for (const node of nodes) {
        const p = byVNumber.get(node.person.vNumber)!;
        expect(node.plannedAt).toBe(p.departureAt!.toISOString());
        expect(node.person.plannedDepartureAt).toBe(node.plannedAt);
      }
      // The featured persons leaving within the window are there; the one without a departure is not.
      expect(vNumbers).toEqual(expect.arrayContaining(['2044001001', '2044001002', '2044001003', '2044001004']));
      expect(vNumbers).not.toContain('2044001005');
    });

    it('carries for every node the data each of the five partners holds on the person', () => {
      for (const node of nodes) {
        const p = byVNumber.get(node.person.vNumber)!;
        const person = node.person;
        const label = p.vNumber;

        // DT&V: name and escort as the world says.
        expect({ label, name: person.name }).toEqual({ label, name: { given: p.givenName, family: p.familyName } });
        expect({ label, escort: node.escort.kind }).toEqual({ label, escort: p.escort });

        // DJI holds exactly the detained persons, with their belongings.
        if (p.situation === 'DETENTION') {
          expect({ label, detained: person.detention !== null }).toEqual({ label, detained: true });
          expect(person.belongings.length).toBeGreaterThan(0);
          expect(person.detention.observations.length).toBeGreaterThan(0);
        } else {
          expect({ label, detention: person.detention, belongings: person.belongings }).toEqual({ label, detention: null, belongings: null });
        }

        // DV&O: one ride to the airport before the flight, classified as the world says.
        const rides = person.transportOrders.filter((o: any) => o.kind === 'TO_AIRPORT');
        expect({ label, rides: rides.length }).toEqual({ label, rides: 1 });
        const ride = rides[0];
        expect(Date.parse(ride.plannedPickupAt)).toBeLessThan(p.departureAt!.getTime());
        expect({ label, level: ride.classification.level }).toEqual({ label, level: p.transportClass });
        expect({ label, moved: ride.pickupChanges.length > 0 }).toEqual({ label, moved: p.pickupMoved });
        if (p.pickupMoved) expect(ride.pickupChanges[ride.pickupChanges.length - 1].newPickupAt).toBe(ride.plannedPickupAt);
        expect({ label, restrained: ride.restraintDecisions.length > 0 }).toEqual({ label, restrained: p.restraints });

        // COA: everyone in reception, and most detained persons, with the height as obtained.
        if (p.situation === 'RECEPTION') {
          expect({ label, inReception: person.reception !== null && person.reception.currentLocation !== null }).toEqual({ label, inReception: true });
          expect(person.characteristics).not.toBeNull();
        }
        if (person.characteristics !== null) {
          expect({ label, height: person.characteristics.height.obtainedBy }).toEqual({ label, height: p.heightObtainedBy });
        }

        // Medical: a health notice for every planned departure, and consent as recorded.
        expect({ label, notice: person.healthNotice !== null }).toEqual({ label, notice: true });
        if (!p.medicalParticulars) expect({ label, fit: person.healthNotice.fitToTravel }).toEqual({ label, fit: 'YES' });
        expect({ label, consent: person.escortConsent?.status }).toEqual({ label, consent: p.escortConsent });
      }
    });

    it('covers both situations, so every partner contributed somewhere in the list', () => {
      const persons = nodes.map((n) => n.person);
      expect(persons.some((p) => p.detention !== null)).toBe(true);
      expect(persons.some((p) => p.reception?.currentLocation)).toBe(true);
      expect(persons.some((p) => p.transportOrders.some((o: any) => o.pickupChanges.length > 0))).toBe(true);
      expect(persons.some((p) => p.healthNotice.instructions.some((i: any) => i.at !== null))).toBe(true);
      expect(persons.some((p) => p.escortConsent.status === 'REFUSED')).toBe(true);
    });
  });

  it('resumes exactly after the cursor, also across persons leaving at the same moment', async () => {
    // A window over the whole demo horizon, walked one by one and then in one page.
    const from = new Date(stack.world.reference.getTime() - DAY);
    const to = new Date(stack.world.reference.getTime() + 46 * DAY);
    const expected = expectedIn(stack.world.persons, from, to).map((p) => p.vNumber);
    const all = await page({ from, to, first: 100 });
    expect(all.pageInfo.hasNextPage).toBe(false);
    expect(all.nodes.map((n) => n.person.vNumber)).toEqual(expected);
    expect(all.totalCount).toBe(expected.length);
    const oneByOne = (await walk(from, to, 1)).flatMap((p) => p.nodes.map((n) => n.person.vNumber));
    expect(oneByOne).toEqual(expected);
    // The persons sharing a departure are all there, next to each other, in plan order.
    for (const group of shared) {
      expect(group.length).toBeGreaterThan(1);
      const at = oneByOne.indexOf(group[0]!);
      expect(oneByOne.slice(at, at + group.length)).toEqual(group);
    }
    // And a page boundary inside a tie: pages of 2 over the same window.
    const byTwo = (await walk(from, to, 2)).flatMap((p) => p.nodes.map((n) => n.person.vNumber));
    expect(byTwo).toEqual(expected);
  });

  it('lists a rebooked person only at the current plan, never at the superseded one', async () => {
    const dtv = stack.subgraphs.find((s) => s.name === 'dtv')!;
    const superseded = await dtv.store.query<{ v_number: string; planned_at: Date }>(
      'SELECT v_number, planned_at FROM dtv.departure_plan WHERE superseded_at IS NOT NULL ORDER BY planned_at',
    );
    // subgraphs/dtv/demo.ts rebooks about one in ten generated persons with a departure.
    expect(superseded.length).toBeGreaterThan(0);
    for (const row of superseded) {
      const p = byVNumber.get(row.v_number)!;
      expect(p.departureAt!.getTime()).toBeGreaterThan(new Date(row.planned_at).getTime());
      // A one-minute window around the superseded time: only persons with a current plan there.
      const from = new Date(row.planned_at);
      const to = new Date(from.getTime() + 60_000);
      const found = await page({ from, to, first: 100 });
      const vNumbers = found.nodes.map((n) => n.person.vNumber);
      expect(vNumbers).not.toContain(row.v_number);
      expect(vNumbers).toEqual(expectedIn(stack.world.persons, from, to).map((q) => q.vNumber));
      expect(found.totalCount).toBe(vNumbers.length);
    }
  });

  it('costs every subgraph the same number of SQL statements for a page of 5 as for a page of 20 (no N+1)', async () => {
    // A window whose first five departures already mix detained persons and persons in
    // reception, so that the small page exercises every nested loader the large one does.
    const sorted = expectedIn(stack.world.persons, stack.world.reference, new Date(stack.world.reference.getTime() + 60 * DAY));
    const start = sorted.findIndex((_, i) => {
      const five = sorted.slice(i, i + 5);
      return five.some((p) => p.situation === 'DETENTION') && five.some((p) => p.situation === 'RECEPTION') && sorted.length - i >= 20;
    });
    expect(start).toBeGreaterThanOrEqual(0);
    const from = sorted[start]!.departureAt!;
    const to = new Date(stack.world.reference.getTime() + 60 * DAY);
    const firstFive = expectedIn(stack.world.persons, from, to).slice(0, 5);
    expect(firstFive.some((p) => p.situation === 'DETENTION') && firstFive.some((p) => p.situation === 'RECEPTION')).toBe(true);

    async function statementsFor(first: number): Promise<{ nodes: number; perSubgraph: Record<string, number> }> {
      const before = Object.fromEntries(stack.subgraphs.map((s) => [s.name, s.store.stats.statements]));
      const result = await page({ from, to, first });
      const perSubgraph = Object.fromEntries(stack.subgraphs.map((s) => [s.name, s.store.stats.statements - before[s.name]!]));
      return { nodes: result.nodes.length, perSubgraph };
    }

    // Warm up once (first-request planning and caches), then measure.
    await statementsFor(5);
    const small = await statementsFor(5);
    const large = await statementsFor(20);
    expect(small.nodes).toBe(5);
    expect(large.nodes).toBe(20);
    expect(large.perSubgraph).toEqual(small.perSubgraph);
    for (const name of ['dtv', 'dji', 'dvo', 'coa', 'medical']) expect(small.perSubgraph[name]).toBeGreaterThan(0);
  });
});
