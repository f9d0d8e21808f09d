import { DEFAULT_INPUT_LIMITS } from '../../gateway/limits/defaults';
import { useInputGuards } from '../../gateway/plugins/useInputGuards';
import { documentHash } from '../../gateway/plugins/useTrustedDocuments';
import { fromRoot } from '../../lib/paths';
import { expectAccepted, expectRefused, harness, nestedPersonQuery } from '../limits/support';

const limits = { ...DEFAULT_INPUT_LIMITS, maxDepth: 4, maxAliases: 1, maxTokens: 60 };

describe('useInputGuards', () => {
  it('puts the token limit into the parse options', () => {
    expect(useInputGuards({ limits }).parseOptions).toEqual({ maxTokens: 60 });
  });

  it('without a manifest: checks operation, variables and limits, one clear error each', async () => {
    const guards = useInputGuards({ limits });
    const server = await harness(guards.plugins, guards.parseOptions);
    try {
      expectAccepted(await server.run(nestedPersonQuery(4)));
      expectRefused(await server.run(nestedPersonQuery(5)), 'QUERY_TOO_DEEP');
      expectRefused(await server.run('{ a: __typename b: __typename }'), 'TOO_MANY_ALIASES');
      expectRefused(await server.run(`{ ${'__typename '.repeat(59)}}`), 'TOO_MANY_TOKENS');
      expectRefused(await server.run('query A { __typename } query B { __typename }'), 'OPERATION_RESOLUTION_FAILURE');
      expectRefused(await server.run('query($v: String!) { person(vNumber: $v) { vNumber } }', { variables: { v: 1 } }), 'BAD_USER_INPUT');
      // Too deep and too many aliases at once: the first guard in order answers.
      expectRefused(await server.run(`{ x: __typename ${nestedPersonQuery(5).slice(1)}`), 'QUERY_TOO_DEEP');
    } finally {
      await server.stop();
    }
  });

  it('with a manifest: refuses what is not registered before any limit is measured', async () => {
    const guards = useInputGuards({ limits, trustedDocumentsFile: fromRoot('schema', 'trusted-documents.example.json') });
    const server = await harness(guards.plugins, { maxTokens: 2000 });
    try {
      expectRefused(await server.run(nestedPersonQuery(5)), 'OPERATION_NOT_TRUSTED');
      expectRefused(await server.run('{ __typename }'), 'OPERATION_NOT_TRUSTED');
      expectRefused(await server.run(undefined, { extensions: { persistedQuery: { version: 1, sha256Hash: documentHash('{ x }') } } }), 'PERSISTED_QUERY_NOT_FOUND');
    } finally {
      await server.stop();
    }
  });

  it('stops with the manifest\'s error when it is broken', () => {
    expect(() => useInputGuards({ limits, trustedDocumentsFile: fromRoot('package.json') })).toThrow(/TRUSTED_DOCUMENTS_FILE/);
  });
});
