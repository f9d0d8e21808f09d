import { Client } from 'pg';
import { FEATURED_COUNT } from '../../lib/demo/world';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * The gateway keeps its connections to the subgraphs alive and the subgraphs keep theirs to
 * PostgreSQL: 60 person queries (all five partners and the access log each) open a handful
 * of TCP connections per subgraph, not one per request, and no new database sessions once
 * the pools are warm. Read from the servers' own counters
 * (`chain_http_connections_accepted_total`) and PostgreSQL's `pg_stat_database.sessions`.
 */

jest.setTimeout(180_000);

const PERSON = `query Person($v: String!) {
  person(vNumber: $v) {
    vNumber
    detention { readyForTransport }
    belongings { description }
    transportOrders { plannedPickupAt }
    healthNotice { fitToTravel }
    medicalDossier { conditions { code } }
  }
}`;

const REQUESTS = 60;
const IN_FLIGHT = 4;

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.close();
});

async function acceptedConnections(baseUrl: string): Promise<number> {
  const response = await fetch(new URL('/metrics', baseUrl));
  const text = await response.text();
  const line = text.split('\n').find((l) => l.startsWith('chain_http_connections_accepted_total'));
  if (!line) throw new Error(`no connection counter at ${baseUrl}`);
  return Number(line.split(' ').pop());
}

async function sessions(): Promise<number | null> {
  if (stack.storeKind !== 'postgres') return null;
  const client = new Client({ connectionString: stack.env.DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ sessions: string }>('SELECT sessions FROM pg_stat_database WHERE datname = current_database()');
    return Number(rows[0]!.sessions);
  } finally {
    await client.end();
  }
}

async function sendPersonQueries(count: number): Promise<void> {
  const vNumbers = stack.world.persons.slice(0, Math.max(FEATURED_COUNT, 20)).map((p) => p.vNumber);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const result = await stack.query(PERSON, { role: 'medical-doctor', variables: { v: vNumbers[i % vNumbers.length] } });
      expect(result.status).toBe(200);
      expect(result.body.data?.person?.vNumber).toBe(vNumbers[i % vNumbers.length]);
      // Only consent-dependent denials may come back; anything else is a broken request.
      for (const error of result.body.errors ?? []) expect(error.extensions?.code).toBe('FORBIDDEN');
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
}

test('subgraph connections and database sessions are reused across requests', async () => {
  // Warm-up: first connections, pools, plans.
  await sendPersonQueries(IN_FLIGHT * 2);
  const partners = stack.subgraphs.filter((s) => s.name !== 'audit');
  const audit = stack.subgraphs.find((s) => s.name === 'audit')!;
  const before = await Promise.all(stack.subgraphs.map((s) => acceptedConnections(s.url)));
  const sessionsBefore = await sessions();

  await sendPersonQueries(REQUESTS);

  const after = await Promise.all(stack.subgraphs.map((s) => acceptedConnections(s.url)));
  const opened = Object.fromEntries(stack.subgraphs.map((s, i) => [s.name, after[i]! - before[i]!]));
  // Each /metrics read above is one connection of its own (fetch from the test).
  for (const subgraph of partners) expect(opened[subgraph.name]).toBeLessThanOrEqual(IN_FLIGHT + 1);
  // The access log gets one POST per request that released audited data.
  expect(opened[audit.name]).toBeLessThanOrEqual(IN_FLIGHT + 1);
  expect(partners.length).toBe(5);

  const sessionsAfter = await sessions();
  if (sessionsBefore !== null && sessionsAfter !== null) {
    // Our two counting sessions plus, at most, pool growth beyond the warm-up's in-flight level.
    expect(sessionsAfter - sessionsBefore).toBeLessThanOrEqual(1 + stack.subgraphs.length * IN_FLIGHT);
    expect(sessionsAfter - sessionsBefore).toBeLessThan(REQUESTS);
  }
});
