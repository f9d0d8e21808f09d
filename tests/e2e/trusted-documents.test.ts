import { readFileSync } from 'node:fs';
import { documentHash } from '../../gateway/plugins/useTrustedDocuments';
import { fromRoot } from '../../lib/paths';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * Trusted-documents mode end to end: the gateway started with TRUSTED_DOCUMENTS_FILE set
 * to the example manifest (the README's queries) executes those, by hash alone or in full,
 * still under the policy, and refuses everything else with HTTP 400.
 */

jest.setTimeout(120_000);

const MANIFEST = fromRoot('schema', 'trusted-documents.example.json');
const documents = Object.entries(JSON.parse(readFileSync(MANIFEST, 'utf8')) as Record<string, string>);
const [personHash, PERSON] = documents.find(([, text]) => text.startsWith('query Person('))!;
const V = '2044001001';

describe('trusted-documents mode', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({ env: { TRUSTED_DOCUMENTS_FILE: MANIFEST }, size: 20 });
  });
  afterAll(async () => {
    await stack?.close();
  });

  async function post(role: string, payload: Record<string, unknown>) {
    const response = await fetch(stack.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await stack.token({ role })}` },
      body: JSON.stringify(payload),
    });
    const text = await response.text();
    return { status: response.status, text, body: JSON.parse(text) as { data?: any; errors?: Array<{ message: string; path?: unknown[]; extensions?: Record<string, unknown> }> } };
  }

  it('executes a registered query by its hash alone, as a full document would', async () => {
    const byHash = await post('medical-doctor', { extensions: { persistedQuery: { version: 1, sha256Hash: personHash } }, variables: { v: V } });
    expect(byHash.status).toBe(200);
    expect(byHash.body.data.person.vNumber).toBe(V);
    expect(byHash.body.data.person.medicalDossier.conditions.length).toBeGreaterThan(0);
    const inFull = await post('medical-doctor', { query: PERSON, variables: { v: V } });
    expect(inFull.status).toBe(200);
    expect(inFull.body.data).toEqual(byHash.body.data);
  });

  it('still applies the policy to a registered query', async () => {
    const answer = await post('transport-officer', { extensions: { persistedQuery: { version: 1, sha256Hash: personHash } }, variables: { v: V } });
    expect(answer.status).toBe(200);
    expect(answer.body.data.person.medicalDossier).toBeNull();
    expect(answer.body.errors?.find((e) => e.extensions?.code === 'FORBIDDEN' && (e.path ?? []).join('.') === 'person.medicalDossier')).toBeDefined();
  });

  it('runs every query of the manifest', async () => {
    for (const [hash, text] of documents) {
      const variables = text.includes('$v') ? { v: V } : undefined;
      const answer = await post('privacy-officer', { extensions: { persistedQuery: { version: 1, sha256Hash: hash } }, variables });
      expect(answer.status).toBe(200);
      expect(answer.body.errors?.filter((e) => e.extensions?.code !== 'FORBIDDEN') ?? []).toEqual([]);
    }
  });

  it.each([
    ['an unregistered query', { query: `{ person(vNumber: "${V}") { medicalDossier { conditions { code } } } }` }, 'OPERATION_NOT_TRUSTED'],
    ['an unregistered query with its own hash', { query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: documentHash('{ __typename }') } } }, 'OPERATION_NOT_TRUSTED'],
    ['a registered query changed in one character', { query: PERSON.replace('vNumber\n', 'vNumber \n'), variables: { v: V } }, 'OPERATION_NOT_TRUSTED'],
    ['an unknown hash', { extensions: { persistedQuery: { version: 1, sha256Hash: documentHash('{ person { x } }') } } }, 'PERSISTED_QUERY_NOT_FOUND'],
  ])('refuses %s with HTTP 400 and %s, and executes nothing', async (_label, payload, code) => {
    const answer = await post('medical-doctor', payload);
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toHaveLength(1);
    expect(answer.body.errors![0]!.extensions?.code).toBe(code);
    expect(answer.body.data).toBeUndefined();
    expect(answer.text).not.toContain(V);
  });
});
