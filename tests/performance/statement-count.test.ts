import type { DemoPerson } from '../../lib/demo/world';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * No N+1 anywhere: the departures list through the gateway, with the person-centred
 * picture from every partner on each node, costs every subgraph (the five partners and the
 * access log) the same number of SQL statements for 10 persons as for 100. Statements are
 * counted with `store.stats.statements` of each subgraph's store, as deltas around one
 * request, after a warm-up.
 */

jest.setTimeout(240_000);

const DAY = 24 * 3600_000;

const DEPARTURES = /* GraphQL */ `
  query Departures($from: DateTime!, $to: DateTime!, $first: Int) {
    departures(from: $from, to: $to, first: $first) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        id
        plannedAt
        flight { number }
        escort { kind }
        person {
          vNumber
          name { given family }
          plannedDepartureAt
          returnCase { status provenance { stale } }
          detention { centre { code } readyForTransport observations { category provenance { stale } } }
          belongings { description changedLastMinute changes { kind changedAt } }
          transportOrders {
            kind
            plannedPickupAt
            pickupChanges { newPickupAt reason }
            classification { level justification }
            restraintDecisions { means justification classification { level } }
          }
          reception { currentLocation { code } stays { location { code } } behaviour { note } }
          characteristics { height { value obtainedBy provenance { stale } } weight { value } }
          healthNotice { fitToTravel instructions { at instruction } escortAdvice }
          medicalDossier { conditions { code } medication { name } }
          escortConsent { status }
        }
      }
    }
  }
`;

// The escort nurse (purpose departure) sees every section of the picture; the dossier only
// where the person consented, which the medical subgraph decides per person (consent is
// looked up through a loader, also batched).
const ROLE = 'escort-nurse';

/** A person whose facts make every nested loader of every partner run. */
function coversEverything(persons: DemoPerson[]): boolean {
  return (
    persons.some((p) => p.situation === 'DETENTION') &&
    persons.some((p) => p.situation === 'RECEPTION') &&
    persons.some((p) => p.pickupMoved) &&
    persons.some((p) => p.restraints) &&
    persons.some((p) => p.medicalParticulars && p.escortConsent === 'GIVEN') &&
    persons.some((p) => !p.medicalParticulars)
  );
}

describe('SQL statements per subgraph do not grow with the number of persons', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({ size: 300 });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('answers the departures list with 10 and with 100 persons with the same number of statements in every subgraph', async () => {
    const reference = stack.world.reference;
    const horizon = new Date(reference.getTime() + 46 * DAY);
    const sorted = stack.world.persons
      .filter((p) => p.departureAt && p.departureAt.getTime() >= reference.getTime() && p.departureAt.getTime() < horizon.getTime())
      .sort((a, b) => a.departureAt!.getTime() - b.departureAt!.getTime() || a.index - b.index);
    // A window whose first ten departures already make every loader run, with 100 behind it.
    const start = sorted.findIndex((_, i) => sorted.length - i >= 100 && coversEverything(sorted.slice(i, i + 10)));
    expect(start).toBeGreaterThanOrEqual(0);
    const variables = { from: sorted[start]!.departureAt!.toISOString(), to: horizon.toISOString() };

    async function statementsFor(first: number): Promise<{ persons: number; perSubgraph: Record<string, number> }> {
      const before = Object.fromEntries(stack.subgraphs.map((s) => [s.name, s.store.stats.statements]));
      const { status, body } = await stack.query(DEPARTURES, { role: ROLE, variables: { ...variables, first } });
      const perSubgraph = Object.fromEntries(stack.subgraphs.map((s) => [s.name, s.store.stats.statements - before[s.name]!]));
      expect(status).toBe(200);
      // Only the dossier of persons who did not consent is withheld.
      for (const error of body.errors ?? []) {
        expect({ code: error.extensions?.code, field: error.extensions?.field }).toEqual({ code: 'FORBIDDEN', field: 'Person.medicalDossier' });
      }
      const nodes = (body.data as any).departures.nodes as any[];
      return { persons: new Set(nodes.map((n) => n.person.vNumber)).size, perSubgraph };
    }

    // Warm up both sizes (planning, caches, first connections), then measure.
    await statementsFor(10);
    await statementsFor(100);
    const ten = await statementsFor(10);
    const hundred = await statementsFor(100);

    const table = Object.keys(ten.perSubgraph).map((name) => `  ${name.padEnd(8)} ${String(ten.perSubgraph[name]).padStart(3)} ${String(hundred.perSubgraph[name]).padStart(4)}`);
    console.log(['SQL statements per subgraph for the departures list (store: ' + stack.storeKind + ')', '  subgraph  10  100', ...table].join('\n'));

    expect(ten.persons).toBe(10);
    expect(hundred.persons).toBe(100);
    expect(hundred.perSubgraph).toEqual(ten.perSubgraph);
    // Every partner took part (and the access log wrote the records).
    for (const name of ['dtv', 'dji', 'dvo', 'coa', 'medical', 'audit']) expect(ten.perSubgraph[name]).toBeGreaterThan(0);
  });
});
