import { DEMO_V_NUMBERS } from '../../lib/demo/world';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * The privacy officers' GraphQL query on the access log, through the gateway: the
 * V-number in clear for them, FORBIDDEN for every other audience.
 */

jest.setTimeout(120_000);

const V = DEMO_V_NUMBERS.consentGiven;

const ACCESS_LOG = /* GraphQL */ `
  query Log($filter: AccessLogFilter!, $first: Int, $after: String) {
    accessLog(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        id traceId recordedAt actorSubject actorOrganisation actorRoles audience purpose processingActivity
        vNumber fieldsAllowed fieldsDenied { field rule } policyHash hash prevHash
      }
    }
  }
`;

describe('accessLog', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
    const dossier = `{ person(vNumber: "${V}") { medicalDossier { conditions { code } } } }`;
    expect((await stack.query(dossier, { role: 'medical-doctor' })).body.errors).toBeUndefined();
    expect((await stack.query(dossier, { role: 'transport-officer' })).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // Someone else's data, to show the filter selects.
    expect((await stack.query(`{ person(vNumber: "${DEMO_V_NUMBERS.consentRefused}") { healthNotice { fitToTravel } } }`, { role: 'transport-officer' })).body.errors).toBeUndefined();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('gives a privacy officer every record about one person, with the V-number in clear', async () => {
    const response = await stack.query(ACCESS_LOG, { role: 'privacy-officer', variables: { filter: { vNumber: V } } });
    expect(response.body.errors).toBeUndefined();
    const log = response.body.data!.accessLog;
    expect(log.totalCount).toBe(2);
    expect(log.pageInfo.hasNextPage).toBe(false);
    expect(log.nodes).toEqual([
      expect.objectContaining({
        vNumber: V,
        actorSubject: 'dev-medical-doctor',
        actorOrganisation: 'medical',
        actorRoles: ['medical-doctor'],
        audience: 'medical-professional',
        purpose: 'medical-care',
        fieldsAllowed: ['MedicalCondition.code', 'MedicalDossier.conditions', 'Person.medicalDossier'],
        fieldsDenied: [],
        policyHash: stack.gateway.policy().hash,
        traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
      }),
      expect.objectContaining({
        vNumber: V,
        actorSubject: 'dev-transport-officer',
        purpose: 'transport',
        fieldsAllowed: [],
        fieldsDenied: [{ field: 'Person.medicalDossier', rule: 'never-dossier-outside-care' }],
      }),
    ]);
    // The chain links, as verify checks them.
    expect(log.nodes[1].prevHash).toBe(log.nodes[0].hash);
  });

  it('selects by user, by decision, and pages with first/after', async () => {
    const byUser = await stack.query(ACCESS_LOG, { role: 'privacy-officer', variables: { filter: { actorSubject: 'dev-transport-officer' } } });
    expect(byUser.body.data!.accessLog.nodes.map((n: any) => n.vNumber)).toEqual([V, DEMO_V_NUMBERS.consentRefused]);
    const denials = await stack.query(ACCESS_LOG, { role: 'privacy-officer', variables: { filter: { decision: 'DENIED' } } });
    expect(denials.body.data!.accessLog.nodes.map((n: any) => n.actorSubject)).toEqual(['dev-transport-officer']);
    const first = await stack.query(ACCESS_LOG, { role: 'privacy-officer', variables: { filter: {}, first: 2 } });
    expect(first.body.data!.accessLog).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: true } });
    const rest = await stack.query(ACCESS_LOG, {
      role: 'privacy-officer',
      variables: { filter: {}, first: 2, after: first.body.data!.accessLog.pageInfo.endCursor },
    });
    expect(rest.body.data!.accessLog.nodes.map((n: any) => n.vNumber)).toEqual([DEMO_V_NUMBERS.consentRefused]);
    expect(rest.body.data!.accessLog.pageInfo.hasNextPage).toBe(false);
  });

  it('refuses a malformed V-number without echoing it', async () => {
    const response = await stack.query(ACCESS_LOG, { role: 'privacy-officer', variables: { filter: { vNumber: '20440010' } } });
    expect(response.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(response.body)).not.toContain('20440010');
  });

  it.each(['transport-officer', 'medical-doctor', 'escort-nurse'])('is FORBIDDEN to a %s', async (role) => {
    const response = await stack.query(ACCESS_LOG, { role, variables: { filter: { vNumber: V } } });
    expect(response.body.data?.accessLog).toBeNull();
    expect(response.body.errors).toEqual([expect.objectContaining({ path: ['accessLog'], extensions: expect.objectContaining({ code: 'FORBIDDEN', field: 'Query.accessLog' }) })]);
    expect(JSON.stringify(response.body)).not.toContain(V);
  });
});
