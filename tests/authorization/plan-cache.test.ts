import { getOperationAST, parse } from 'graphql';
import { createHash } from 'node:crypto';
import { AuthorizingGateway } from '../../gateway/authorization/authorizing-gateway';
import { DEMO_V_NUMBERS } from '../../lib/demo/world';
import type { Identity } from '../../lib/identity/identity';
import { startTestStack, type GraphQLResponse, type TestStack } from '../support/stack';
import { apiSchema, forbiddenByPath, loadPolicy, type Json } from './support';

/**
 * Query plans and every other cache are shared by query text; they must never serve one
 * audience what was planned for another. The same text goes to the gateway from a
 * medical doctor and a transport officer, alternately, many times, one after the other
 * and all at once, in both orders of first sight.
 */

jest.setTimeout(180_000);

const ROUNDS = 20;
const AMIR = DEMO_V_NUMBERS.consentGiven;

/** One text per scenario, so each scenario starts with cold caches. */
const queryText = (tag: string) => `query PlanCache_${tag}($v: String!) { person(vNumber: $v) { name { given family } medicalDossier { conditions { code } } } }`;

describe('plan and authorization caches across audiences', () => {
  let stack: TestStack;

  function expectDoctor(response: GraphQLResponse<Json>): void {
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data.person.name.given).toBe('Amir');
    expect(response.body.data.person.medicalDossier.conditions.map((c: Json) => c.code)).toEqual(['E10.9']);
  }

  function expectOfficer(response: GraphQLResponse<Json>): void {
    expect(response.status).toBe(200);
    expect(response.body.data.person.name).toEqual({ given: 'Amir', family: 'Haddad' });
    expect(response.body.data.person.medicalDossier).toBeNull();
    expect([...forbiddenByPath(response).entries()]).toEqual([
      ['person.medicalDossier', expect.objectContaining({ code: 'FORBIDDEN', field: 'Person.medicalDossier' })],
    ]);
    expect(JSON.stringify(response.body)).not.toContain('E10.9');
  }

  const ask = (tag: string, role: string) => stack.query<Json>(queryText(tag), { role, variables: { v: AMIR } });

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('alternately, doctor first: the doctor always gets E10.9, the officer never', async () => {
    for (let i = 0; i < ROUNDS; i++) {
      expectDoctor(await ask('doctorFirst', 'medical-doctor'));
      expectOfficer(await ask('doctorFirst', 'transport-officer'));
    }
  });

  it('alternately, officer first: a plan made for the officer never costs the doctor the dossier', async () => {
    for (let i = 0; i < ROUNDS; i++) {
      expectOfficer(await ask('officerFirst', 'transport-officer'));
      expectDoctor(await ask('officerFirst', 'medical-doctor'));
    }
  });

  it('concurrently, interleaved, on cold caches: each answer is its own audience\'s', async () => {
    const roles = Array.from({ length: 2 * ROUNDS }, (_, i) => (i % 2 === 0 ? 'medical-doctor' : 'transport-officer'));
    const responses = await Promise.all(roles.map((role) => ask('concurrent', role)));
    responses.forEach((response, i) => (roles[i] === 'medical-doctor' ? expectDoctor(response) : expectOfficer(response)));
  });

  it('concurrently again on warm caches, officer-heavy first then doctor-heavy', async () => {
    const roles = [
      ...Array.from({ length: ROUNDS }, (_, i) => (i % 4 === 0 ? 'medical-doctor' : 'transport-officer')),
      ...Array.from({ length: ROUNDS }, (_, i) => (i % 4 === 0 ? 'transport-officer' : 'medical-doctor')),
    ];
    const responses = await Promise.all(roles.map((role) => ask('concurrent', role)));
    responses.forEach((response, i) => (roles[i] === 'medical-doctor' ? expectDoctor(response) : expectOfficer(response)));
  });

  it('the same text with the purpose changed by header is decided anew (a doctor stating supervision gets no dossier)', async () => {
    for (let i = 0; i < 5; i++) {
      expectDoctor(await ask('purpose', 'medical-doctor'));
      const supervising = await stack.query<Json>(queryText('purpose'), { role: 'medical-doctor', variables: { v: AMIR }, headers: { 'x-purpose': 'supervision' } });
      expect(supervising.body.data.person.medicalDossier).toBeNull();
      expect(forbiddenByPath(supervising).get('person.medicalDossier')).toMatchObject({ code: 'FORBIDDEN' });
      expect(JSON.stringify(supervising.body)).not.toContain('E10.9');
    }
  });
});

describe('the authorization cache of the gateway (unit)', () => {
  const schema = apiSchema();
  const policy = loadPolicy();
  const TEXT = `{ person(vNumber: "${AMIR}") { name { given } medicalDossier { conditions { code } } } }`;
  const officer: Identity = { subject: 'officer-1', organisation: 'dvo', roles: ['transport-officer'], purpose: 'transport', audience: 'chain-officer' };
  const doctor: Identity = { subject: 'doctor-1', organisation: 'medical', roles: ['medical-doctor'], bigRegistration: '19012345601', purpose: 'medical-care', audience: 'medical-professional' };

  /** The authorizing gateway around a stand-in for @apollo/gateway that records what it was asked to plan. */
  async function gatewayWithRecorder() {
    const planned: string[] = [];
    const inner = {
      onSchemaLoadOrUpdate(callback: (state: { apiSchema: typeof schema; coreSupergraphSdl: string }) => void) {
        callback({ apiSchema: schema, coreSupergraphSdl: '' });
        return () => undefined;
      },
      load: async () => ({
        executor: async (requestContext: { document: Parameters<typeof getOperationAST>[0]; queryHash: string }) => {
          planned.push(requestContext.queryHash);
          const asksDossier = JSON.stringify(requestContext.document).includes('"medicalDossier"');
          return { data: { person: { name: { given: 'Amir' }, ...(asksDossier ? { medicalDossier: { conditions: [{ code: 'E10.9' }] } } : {}) } } };
        },
      }),
      stop: async () => undefined,
    };
    const gateway = new AuthorizingGateway(inner as never, () => policy);
    const { executor } = await gateway.load({} as never);
    if (!executor) throw new Error('the gateway has no executor');
    return { planned, executor };
  }

  /** A request as Apollo Server hands it over: a freshly parsed document for the same text and hash. */
  function request(identity: Identity) {
    const document = parse(TEXT);
    return {
      document,
      operation: getOperationAST(document)!,
      queryHash: createHash('sha256').update(TEXT).digest('hex'),
      request: { query: TEXT, variables: {} },
      operationName: null,
      context: { identity },
    } as never;
  }

  it('fills denied fields also when the same text arrives as a newly parsed document', async () => {
    const { executor } = await gatewayWithRecorder();
    for (let i = 0; i < 3; i++) {
      const result = (await executor(request(officer))) as Json;
      expect(result.data).toEqual({ person: { name: { given: 'Amir' }, medicalDossier: null } });
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]).toMatchObject({ path: ['person', 'medicalDossier'], extensions: { code: 'FORBIDDEN', field: 'Person.medicalDossier' } });
    }
  });

  it('plans the officer\'s operation under another hash than the doctor\'s, whatever the order', async () => {
    const { executor, planned } = await gatewayWithRecorder();
    const officerFirst = (await executor(request(officer))) as Json;
    const doctorAfter = (await executor(request(doctor))) as Json;
    expect(officerFirst.data.person.medicalDossier).toBeNull();
    expect(doctorAfter.data.person.medicalDossier.conditions[0].code).toBe('E10.9');
    expect(planned).toHaveLength(2);
    expect(planned[0]).not.toBe(planned[1]);
    // The doctor's operation is the client's own (its own hash); the officer's is the rewritten one.
    expect(planned[1]).toBe(createHash('sha256').update(TEXT).digest('hex'));
  });
});
