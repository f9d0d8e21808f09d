import { DEMO_V_NUMBERS } from '../../lib/demo/world';
import { runAuditCommand } from '../../subgraphs/audit/commands';
import { deriveAccessLogKeys } from '../../subgraphs/audit/crypto';
import { startTestStack, type TestStack } from '../support/stack';
import { auditStore } from './support';

/**
 * `npm run audit -- person | user | denials`: the privacy officers' questions on the
 * command line, with V-numbers in clear (they are the audience), reading the store.
 */

jest.setTimeout(120_000);

const V = DEMO_V_NUMBERS.consentGiven;

describe('npm run audit', () => {
  let stack: TestStack;
  let start: Date;
  beforeAll(async () => {
    stack = await startTestStack();
    start = new Date();
    const dossier = (v: string) => `query Dossier { person(vNumber: "${v}") { medicalDossier { conditions { code } } } }`;
    await stack.query(dossier(V), { role: 'medical-doctor', tokenOptions: { subject: 'doctor-jansen' } });
    await stack.query(dossier(V), { role: 'transport-officer', tokenOptions: { subject: 'officer-de-vries' } });
    await stack.query(dossier(DEMO_V_NUMBERS.consentRefused), { role: 'medical-doctor', tokenOptions: { subject: 'doctor-jansen' } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  async function run(...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runAuditCommand(args, {
      store: auditStore(stack),
      keys: deriveAccessLogKeys(stack.accessLogKey),
      io: { out: (line) => out.push(line), err: (line) => err.push(line) },
    });
    return { code, out, err };
  }

  it('person: every disclosure and denial about one person, V-number in clear', async () => {
    const result = await run('person', V);
    expect(result.code).toBe(0);
    const text = result.out.join('\n');
    expect(text).toMatch(/^#1 \d{4}-\d{2}-\d{2}T[\d:.]+Z trace [0-9a-f]{32}$/m);
    expect(text).toContain('  who      doctor-jansen (medical; roles medical-doctor; audience medical-professional)');
    expect(text).toContain('  purpose  medical-care (activity medical-care:Dossier)');
    expect(text).toContain(`  subject  ${V}`);
    expect(text).toContain('  allowed  MedicalCondition.code, MedicalDossier.conditions, Person.medicalDossier');
    expect(text).toContain('  who      officer-de-vries (dvo; roles transport-officer; audience chain-officer)');
    expect(text).toContain('  denied   Person.medicalDossier (rule never-dossier-outside-care)');
    expect(text).not.toContain(DEMO_V_NUMBERS.consentRefused);
    expect(result.out[result.out.length - 1]).toBe('2 records');
  });

  it('user: every read by one user, as JSON lines with --json', async () => {
    const result = await run('user', 'doctor-jansen', '--json');
    expect(result.code).toBe(0);
    const records = result.out.map((line) => JSON.parse(line));
    expect(records.map((r) => r.vNumber)).toEqual([V, DEMO_V_NUMBERS.consentRefused]);
    expect(records[0]).toMatchObject({ actor: { subject: 'doctor-jansen', organisation: 'medical', roles: ['medical-doctor'] }, purpose: 'medical-care' });
  });

  it('denials: denials in a period', async () => {
    const inWindow = await run('denials', '--from', start.toISOString(), '--to', new Date(Date.now() + 60_000).toISOString());
    expect(inWindow.code).toBe(0);
    expect(inWindow.out.join('\n')).toContain('denied   Person.medicalDossier (rule never-dossier-outside-care)');
    expect(inWindow.out[inWindow.out.length - 1]).toBe('1 record');
    const before = await run('denials', '--from', '2020-01-01', '--to', start.toISOString());
    expect(before.out).toEqual(['0 records']);
  });

  it('refuses bad input with usage and exit 2', async () => {
    expect((await run('person', '12345')).code).toBe(2);
    expect((await run('denials', '--from', 'yesterday')).code).toBe(2);
    expect((await run('shred')).err.join('\n')).toContain('unknown command "shred"');
    const noKey = await runAuditCommand(['person', V], { store: auditStore(stack), io: { out: () => undefined, err: () => undefined } });
    expect(noKey).toBe(2);
  });
});
