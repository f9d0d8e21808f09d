import { DEMO_V_NUMBERS } from '../../lib/demo/world';
import { startTestStack, type TestStack } from '../support/stack';
import { auditStore } from './support';

/**
 * The access log stores no V-number in clear: not in any column of any table of the
 * audit schema, whatever requests wrote it (single persons, lists, denials, subjects known
 * only from the argument).
 */

jest.setTimeout(120_000);

describe('the audit schema', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
    // The operation name deliberately carries the V-number: it must not reach the log in clear.
    const person = (v: string) => `query Read${v} { person(vNumber: "${v}") { vNumber healthNotice { fitToTravel } medicalDossier { conditions { code } } escortConsent { status } } }`;
    for (const role of ['medical-doctor', 'escort-nurse', 'transport-officer', 'privacy-officer']) {
      for (const v of [DEMO_V_NUMBERS.consentGiven, DEMO_V_NUMBERS.consentRefused]) await stack.query(person(v), { role });
    }
    const from = new Date(stack.world.reference.getTime() - 24 * 3600_000).toISOString();
    const to = new Date(stack.world.reference.getTime() + 60 * 24 * 3600_000).toISOString();
    await stack.query(`{ departures(from: "${from}", to: "${to}", first: 50) { nodes { person { healthNotice { fitToTravel } } } } }`, { role: 'detention-officer' });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('holds records about the persons read, but none of their V-numbers in clear in any column', async () => {
    const store = auditStore(stack);
    const tables = await store.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'audit' ORDER BY table_name`,
    );
    expect(tables.map((t) => t.table_name)).toEqual(['access_record', 'schema_migrations']);
    const [{ n }] = (await store.query<{ n: number }>('SELECT count(DISTINCT data_subject_hash)::int AS n FROM audit.access_record')) as [{ n: number }];
    expect(n).toBeGreaterThan(10);

    const vNumbers = stack.world.persons.map((p) => p.vNumber);
    let values = 0;
    for (const { table_name } of tables) {
      const columns = await store.query<{ column_name: string }>(
        `SELECT column_name FROM information_schema.columns WHERE table_schema = 'audit' AND table_name = $1`,
        [table_name],
      );
      expect(columns.length).toBeGreaterThan(0);
      // Every column, as text, so that arrays and JSON are searched as stored.
      const rows = await store.query<Record<string, string | null>>(
        `SELECT ${columns.map((c) => `"${c.column_name}"::text AS "${c.column_name}"`).join(', ')} FROM audit.${table_name}`,
      );
      for (const row of rows) {
        for (const [column, value] of Object.entries(row)) {
          if (value === null) continue;
          values++;
          const leaked = vNumbers.filter((v) => value.includes(v));
          expect({ table_name, column, leaked }).toEqual({ table_name, column, leaked: [] });
        }
      }
    }
    expect(values).toBeGreaterThan(100);
  });

  it('encrypts the same person differently in every record (no linkage through the ciphertext)', async () => {
    const rows = await auditStore(stack).query<{ data_subject_hash: string; encs: number; n: number }>(
      `SELECT data_subject_hash, count(DISTINCT data_subject_enc)::int AS encs, count(*)::int AS n
         FROM audit.access_record WHERE data_subject_hash IS NOT NULL GROUP BY data_subject_hash HAVING count(*) > 1`,
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.encs).toBe(row.n);
  });
});
