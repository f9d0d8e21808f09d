import { useKnownOperation } from '../../gateway/plugins/useKnownOperation';
import { expectAccepted, expectRefused, harness, type PluginHarness } from '../limits/support';

describe('useKnownOperation', () => {
  let server: PluginHarness;
  beforeAll(async () => {
    server = await harness([useKnownOperation()]);
  });
  afterAll(() => server.stop());

  it('runs the named operation of several, and a single unnamed one', async () => {
    expectAccepted(await server.run('query A { __typename } query B { __typename }', { operationName: 'B' }));
    expectAccepted(await server.run('{ __typename }'));
  });

  it('refuses an operationName that names no operation, with HTTP 400 and without repeating the name', async () => {
    const answer = await server.run('query A { __typename } query B { __typename }', { operationName: 'SecretName2044001001' });
    expectRefused(answer, 'OPERATION_RESOLUTION_FAILURE', ['SecretName2044001001']);
    expect(answer.errors![0]!.message).toMatch(/operationName/);
  });

  it('refuses several operations without an operationName', async () => {
    expectRefused(await server.run('query A { __typename } query B { __typename }'), 'OPERATION_RESOLUTION_FAILURE');
  });

  it('refuses a subscription (the API has none) with HTTP 400', async () => {
    const answer = await server.run('subscription { person { vNumber } }');
    expectRefused(answer, 'GRAPHQL_VALIDATION_FAILED');
    expect(answer.errors![0]!.message).toMatch(/no subscription operations/);
  });
});
