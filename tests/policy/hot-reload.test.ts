import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { fromRoot } from '../../lib/paths';
import { startTestStack, type GraphQLResponse, type TestStack } from '../support/stack';
import { tempFolder } from './cli-helper';

/**
 * Hot reload: the gateway and the subgraphs watch POLICY_FILE; a changed valid policy is
 * in force within seconds (the health endpoint shows its hash), an invalid one is refused
 * and the old one stays.
 */
const temp = tempFolder('policy-reload-');
const policyFile = temp.write('policy.yaml', readFileSync(fromRoot('schema', 'policy.yaml'), 'utf8'));
let stack: TestStack;

const QUERY = '{ person(vNumber: "2044001001") { vNumber name { given family } } }';
const DENY_RULE = 'no-names-for-dtv-officers';

/** The real policy plus a rule that denies Person.name to chain officers of DT&V (the return officers). */
function denyingNames(audiences = ['chain-officer']): string {
  const doc = parseDocument(readFileSync(fromRoot('schema', 'policy.yaml'), 'utf8'));
  doc.addIn(
    ['rules'],
    doc.createNode({ id: DENY_RULE, description: 'DT&V officers work by V-number only.', effect: 'deny', audiences, fields: ['Person.name'], when: { organisation: ['dtv'] } }),
  );
  return doc.toString();
}

const hashOf = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

async function health(): Promise<{ version: string; hash: string }> {
  const response = await fetch(new URL('/health', stack.gateway.url));
  expect(response.status).toBe(200);
  return ((await response.json()) as { policy: { version: string; hash: string } }).policy;
}

/** Polls until `done` holds, at most `ms`; returns the last value. */
async function poll<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  let value = await read();
  while (!done(value) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}

/** The policy hash each subgraph has in force, from its own /health. */
async function subgraphHashes(): Promise<string[]> {
  return Promise.all(
    stack.subgraphs.map(async (subgraph) => ((await (await fetch(new URL('/health', subgraph.url))).json()) as { policy: string }).policy),
  );
}

const returnOfficer = () => stack.query(QUERY, { role: 'return-officer' });
type PersonResult = GraphQLResponse<{ person: { vNumber: string; name: { given: string; family: string } | null } }>;

beforeAll(async () => {
  stack = await startTestStack({ env: { POLICY_FILE: policyFile, POLICY_WATCH: 'true' } });
}, 120_000);

afterAll(async () => {
  await stack?.close();
  temp.remove();
});

describe('policy hot reload', () => {
  it('puts a changed policy in force without restart, and refuses an invalid one keeping the old', async () => {
    const original = await health();
    expect(original.hash).toBe(hashOf(readFileSync(policyFile, 'utf8')));
    const before = (await returnOfficer()) as PersonResult;
    expect(before.body.errors).toBeUndefined();
    expect(before.body.data?.person.name).toEqual({ given: expect.any(String), family: expect.any(String) });

    // A privacy officer denies names to DT&V's return officers.
    const denying = denyingNames();
    writeFileSync(policyFile, denying);
    const reloaded = await poll(health, (h) => h.hash !== original.hash);
    expect(reloaded.hash).toBe(hashOf(denying));
    // Every subgraph enforces the same policy: each picks up the change too.
    expect(await poll(subgraphHashes, (hashes) => hashes.every((h) => h === reloaded.hash))).toEqual(stack.subgraphs.map(() => reloaded.hash));
    const after = (await poll(returnOfficer, (r) => (r as PersonResult).body.data?.person.name === null)) as PersonResult;
    expect(after.body.data).toEqual({ person: { vNumber: '2044001001', name: null } });
    expect(after.body.errors).toEqual([
      expect.objectContaining({ path: ['person', 'name'], extensions: expect.objectContaining({ code: 'FORBIDDEN', field: 'Person.name', rule: DENY_RULE }) }),
    ]);
    // The rule names DT&V only: a DV&O transport officer still gets the name.
    const transport = (await stack.query(QUERY, { role: 'transport-officer' })) as PersonResult;
    expect(transport.body.errors).toBeUndefined();
    expect(transport.body.data?.person.name).not.toBeNull();

    // An invalid policy (unknown audience) is refused: the hash stays and queries keep working.
    writeFileSync(policyFile, denyingNames(['chain-officers']));
    await new Promise((resolve) => setTimeout(resolve, 2500)); // more than two watch intervals
    expect(await health()).toEqual(reloaded);
    expect(await subgraphHashes()).toEqual(stack.subgraphs.map(() => reloaded.hash));
    const explicit = stack.gateway.reloadPolicy();
    expect(explicit.ok).toBe(false);
    expect(!explicit.ok && explicit.error.message).toContain(`rule "${DENY_RULE}": unknown audience "chain-officers"`);
    expect(await health()).toEqual(reloaded);
    const still = (await returnOfficer()) as PersonResult;
    expect(still.status).toBe(200);
    expect(still.body.data).toEqual({ person: { vNumber: '2044001001', name: null } });
    expect(still.body.errors?.map((e) => e.extensions?.rule)).toEqual([DENY_RULE]);
  }, 60_000);
});
