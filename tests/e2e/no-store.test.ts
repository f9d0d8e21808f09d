import { DEMO_V_NUMBERS } from '../../lib/demo/world';
import { signRequest, type SignedIdentity } from '../../lib/identity/signing';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * Answers carry personal data, so no cache between client and gateway, or between gateway
 * and subgraph, may keep them: every GraphQL answer says `cache-control: no-store`, also
 * now that the subgraphs run without Apollo Server's per-field cache-control plugin.
 */

jest.setTimeout(120_000);

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.close();
});

test('the gateway answers with cache-control: no-store', async () => {
  const token = await stack.token({ role: 'medical-doctor' });
  const response = await fetch(stack.gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: `query($v: String!) { person(vNumber: $v) { vNumber healthNotice { fitToTravel } } }`, variables: { v: DEMO_V_NUMBERS.consentGiven } }),
  });
  const body = (await response.json()) as { data?: { person?: { vNumber?: string } | null } };
  expect(response.status).toBe(200);
  expect(body.data?.person?.vNumber).toBe(DEMO_V_NUMBERS.consentGiven);
  expect(response.headers.get('cache-control')).toBe('no-store');
});

test.each(['dtv', 'medical'])('the %s subgraph answers with cache-control: no-store', async (name) => {
  const subgraph = stack.subgraphs.find((s) => s.name === name)!;
  const identity: SignedIdentity = { subject: 'doctor-1', organisation: 'medical', roles: ['medical-doctor'], bigRegistration: '19012345601', purpose: 'medical-care' };
  const body = JSON.stringify({ query: '{ _service { sdl } }' });
  const response = await fetch(subgraph.url, { method: 'POST', headers: { 'content-type': 'application/json', ...signRequest(stack.signingSecret, identity, body) }, body });
  const answer = (await response.json()) as { data?: { _service?: { sdl?: string } } };
  expect(response.status).toBe(200);
  expect(answer.data?._service?.sdl).toContain('type Person');
  expect(response.headers.get('cache-control')).toBe('no-store');
});
