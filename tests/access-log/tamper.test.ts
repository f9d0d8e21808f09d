import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fromRoot } from '../../lib/paths';
import { recordHash } from '../../subgraphs/audit/chain';
import { runAuditCommand } from '../../subgraphs/audit/commands';
import { startTestStack, type TestStack } from '../support/stack';
import { allRecords, auditStore } from './support';

/**
 * Tamper evidence: the access log is a hash chain, and `npm run audit -- verify` names the
 * first broken record when someone with full database rights (who can switch the
 * append-only trigger off, as a superuser can) alters or deletes a record directly.
 */

jest.setTimeout(120_000);

const PERSONS = ['2044001001', '2044001002', '2044001003', '2044001004', '2044001005'];

async function verify(stack: TestStack): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await runAuditCommand(['verify'], {
    store: auditStore(stack),
    io: { out: (line) => lines.push(line), err: (line) => lines.push(line) },
  });
  return { code, out: lines.join('\n') };
}

/** What an attacker with superuser rights runs: the trigger off, the change, the trigger on. */
async function asSuperuser(stack: TestStack, statement: string): Promise<void> {
  await auditStore(stack).exec(
    `ALTER TABLE audit.access_record DISABLE TRIGGER access_record_append_only;
     ${statement};
     ALTER TABLE audit.access_record ENABLE TRIGGER access_record_append_only;`,
  );
}

describe('verify', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
    for (const vNumber of PERSONS) {
      const response = await stack.query(`{ person(vNumber: "${vNumber}") { healthNotice { fitToTravel } } }`, { role: 'detention-officer' });
      expect(response.body.errors).toBeUndefined();
    }
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('reports an intact chain with its length', async () => {
    const count = (await allRecords(stack)).length;
    expect(count).toBeGreaterThanOrEqual(4);
    expect(await verify(stack)).toEqual({ code: 0, out: `access log intact: ${count} records, hash chain verified` });
  });

  it('names the record whose contents were altered', async () => {
    await asSuperuser(stack, `UPDATE audit.access_record SET purpose = 'detention-x' WHERE id = 3`);
    const result = await verify(stack);
    expect(result.code).toBe(1);
    expect(result.out).toContain('access log BROKEN at record 3: hash does not match the record contents (altered)');
    // Put back exactly what was there: the chain verifies again.
    await asSuperuser(stack, `UPDATE audit.access_record SET purpose = 'detention' WHERE id = 3`);
    expect((await verify(stack)).code).toBe(0);
  });

  it('names the next record when the attacker also recomputed the altered record\'s hash', async () => {
    const [record] = (await allRecords(stack)).filter((r) => r.id === 2);
    const { hash: _hash, ...columns } = record!;
    const forged = recordHash({ ...columns, purpose: 'detention-x' });
    await asSuperuser(stack, `UPDATE audit.access_record SET purpose = 'detention-x', hash = '${forged}' WHERE id = 2`);
    const result = await verify(stack);
    expect(result.code).toBe(1);
    expect(result.out).toContain('access log BROKEN at record 3: prev_hash is not the hash of the record before it');
  });

  it('names a deleted record', async () => {
    await asSuperuser(stack, `DELETE FROM audit.access_record WHERE id = 2`);
    const result = await verify(stack);
    expect(result.code).toBe(1);
    expect(result.out).toContain('access log BROKEN at record 2: record 2 is missing (the chain jumps to record 3)');
  });

  // Only on PostgreSQL: the embedded store lives inside this process, a CLI could not see it.
  const onPostgres = process.env.TEST_DATABASE_URL ? it : it.skip;
  onPostgres('does the same from the command line, npm run audit -- verify', async () => {
    const run = promisify(execFile);
    const env = { ...stack.env, AUDIT_DATABASE_URL: stack.env.DATABASE_URL, LOG_LEVEL: 'silent' };
    const failure = await run(fromRoot('node_modules', '.bin', 'tsx'), [fromRoot('scripts', 'audit.ts'), 'verify'], { env, cwd: fromRoot() }).then(
      () => undefined,
      (error: { code: number; stdout: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stdout).toContain('access log BROKEN at record 2: record 2 is missing');
  });
});
