import { parse, print, validate } from 'graphql';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { documentHash, loadTrustedDocuments, useTrustedDocuments, type TrustedDocuments } from '../../gateway/plugins/useTrustedDocuments';
import { ConfigError } from '../../lib/config';
import { fromRoot } from '../../lib/paths';
import { expectAccepted, expectRefused, harness, schema, type PluginHarness } from '../limits/support';

const EXAMPLE = fromRoot('schema', 'trusted-documents.example.json');
const README = readFileSync(fromRoot('README.md'), 'utf8');

describe('the example manifest', () => {
  const documents = loadTrustedDocuments(EXAMPLE);

  it('holds valid operations of the API schema', () => {
    expect(documents.size).toBeGreaterThanOrEqual(3);
    for (const text of documents.values()) expect(validate(schema, parse(text))).toEqual([]);
  });

  it('holds every example query of the README', () => {
    const registered = new Set([...documents.values()].map((text) => print(parse(text))));
    const examples = [...README.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(examples.length).toBeGreaterThanOrEqual(3);
    for (const example of examples) expect(registered.has(print(parse(example)))).toBe(true);
  });
});

describe('loadTrustedDocuments', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trusted-'));
  const write = (name: string, content: string) => {
    const file = join(dir, name);
    writeFileSync(file, content);
    return file;
  };
  const text = '{ __typename }';

  it('reads a manifest of sha256 -> document', () => {
    const documents = loadTrustedDocuments(write('ok.json', JSON.stringify({ [documentHash(text)]: text })));
    expect([...documents]).toEqual([[documentHash(text), text]]);
  });

  it.each([
    ['not JSON', '{', /cannot read it as JSON/],
    ['an array', '[]', /one JSON object/],
    ['no documents', '{}', /no documents/],
    ['a key that is not a sha256', JSON.stringify({ abc: text }), /lowercase hex sha256/],
    ['a key that is not the hash of its document', JSON.stringify({ [documentHash('{ a }')]: text }), /not the sha256 of its document/],
    ['a document that is not a string', JSON.stringify({ [documentHash(text)]: { query: text } }), /must be a string/],
    ['a document that does not parse', JSON.stringify({ [documentHash('{ a ')]: '{ a ' }), /does not parse/],
  ])('refuses %s with a ConfigError naming the file', (label, content, message) => {
    const file = write(`${label.replace(/\W+/g, '-')}.json`, content);
    expect(() => loadTrustedDocuments(file)).toThrow(ConfigError);
    expect(() => loadTrustedDocuments(file)).toThrow(message);
    expect(() => loadTrustedDocuments(file)).toThrow(`TRUSTED_DOCUMENTS_FILE ${file}`);
  });

  it('refuses a missing file', () => {
    expect(() => loadTrustedDocuments(join(dir, 'missing.json'))).toThrow(ConfigError);
  });
});

describe('useTrustedDocuments', () => {
  const PERSON = 'query Person($v: String!) { person(vNumber: $v) { vNumber name { family } } }';
  const documents: TrustedDocuments = new Map([[documentHash(PERSON), PERSON]]);
  const persisted = (sha256Hash: unknown) => ({ persistedQuery: { version: 1, sha256Hash } });
  let server: PluginHarness;
  beforeAll(async () => {
    server = await harness([useTrustedDocuments({ documents })]);
  });
  afterAll(() => server.stop());

  it('executes a registered operation named by its hash alone', async () => {
    expectAccepted(await server.run(undefined, { extensions: persisted(documentHash(PERSON)), variables: { v: '2044001001' } }));
  });

  it('executes a registered operation sent in full, with or without its hash', async () => {
    expectAccepted(await server.run(PERSON, { variables: { v: '2044001001' } }));
    expectAccepted(await server.run(PERSON, { extensions: persisted(documentHash(PERSON)), variables: { v: '2044001001' } }));
  });

  it('refuses an unknown hash with HTTP 400 and PERSISTED_QUERY_NOT_FOUND', async () => {
    expectRefused(await server.run(undefined, { extensions: persisted('0'.repeat(64)) }), 'PERSISTED_QUERY_NOT_FOUND');
    expectRefused(await server.run(undefined, { extensions: persisted(42) }), 'PERSISTED_QUERY_NOT_FOUND');
  });

  it('refuses any other text with HTTP 400 and OPERATION_NOT_TRUSTED, also with its own correct hash', async () => {
    const other = '{ person(vNumber: "2044001001") { medicalDossier { conditions { code } } } }';
    expectRefused(await server.run(other), 'OPERATION_NOT_TRUSTED');
    expectRefused(await server.run(other, { extensions: persisted(documentHash(other)) }), 'OPERATION_NOT_TRUSTED');
    // The registered text, changed only in whitespace, is another document.
    expectRefused(await server.run(PERSON.replace('{ vNumber', '{  vNumber'), { variables: { v: '2044001001' } }), 'OPERATION_NOT_TRUSTED');
    // An untrusted text, once refused, is not registered as a persisted query either.
    expectRefused(await server.run(undefined, { extensions: persisted(documentHash(other)) }), 'PERSISTED_QUERY_NOT_FOUND');
  });

  it('refuses a registered hash sent with another text', async () => {
    const answer = await server.run('{ __typename }', { extensions: persisted(documentHash(PERSON)) });
    expectRefused(answer, 'BAD_REQUEST');
    expect(answer.errors![0]!.message).toMatch(/sha does not match/);
    expect(answer.data).toBeUndefined();
  });
});
