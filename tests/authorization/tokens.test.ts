import { readFileSync } from 'node:fs';
import { generateKeyPair, importPKCS8, SignJWT, type CryptoKey, type KeyObject } from 'jose';
import { DEMO_V_NUMBERS } from '../../lib/demo/world';
import { DEV_AUDIENCE, DEV_ISSUER } from '../../lib/identity/dev-keys';
import { startTestStack, type GraphQLResponse, type TestStack } from '../support/stack';
import { forbiddenByPath, type Json } from './support';

/**
 * Who may ask at all: every request needs a bearer token that the gateway verifies (key,
 * issuer, audience, expiry, required claims). Anything else is UNAUTHENTICATED with HTTP
 * 401 and no data. The tokens below claim the medical-doctor role, so that any one of them
 * slipping through would show the dossier.
 */

jest.setTimeout(120_000);

const QUERY = `{ person(vNumber: "${DEMO_V_NUMBERS.consentGiven}") { vNumber name { given } medicalDossier { conditions { code } } } }`;

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const parts = (token: string) => token.split('.') as [string, string, string];

describe('bearer tokens at the gateway', () => {
  let stack: TestStack;
  let devKey: CryptoKey | KeyObject;

  /** Doctor claims as the development tokens carry them. */
  const doctorClaims = { org: 'medical', roles: ['medical-doctor'], big: '19012345601', purpose: 'medical-care' };

  async function sign(options: { key?: CryptoKey | KeyObject; issuer?: string; audience?: string; expiresAt?: number; claims?: Record<string, unknown> } = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT(options.claims ?? doctorClaims)
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
      .setSubject('dev-medical-doctor')
      .setIssuer(options.issuer ?? DEV_ISSUER)
      .setAudience(options.audience ?? DEV_AUDIENCE)
      .setIssuedAt(now - 600)
      .setExpirationTime(options.expiresAt ?? now + 3600)
      .sign(options.key ?? devKey);
  }

  async function send(headers: Record<string, string>): Promise<GraphQLResponse<Json> & { text: string; wwwAuthenticate: string | null }> {
    const response = await fetch(stack.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: QUERY }) });
    const text = await response.text();
    return { status: response.status, body: JSON.parse(text), text, wwwAuthenticate: response.headers.get('www-authenticate') };
  }

  function expectUnauthenticated(result: Awaited<ReturnType<typeof send>>): void {
    expect(result.status).toBe(401);
    expect('data' in result.body).toBe(false);
    expect(result.body.errors).toHaveLength(1);
    expect(result.body.errors![0]!.extensions?.code).toBe('UNAUTHENTICATED');
    expect(result.wwwAuthenticate).toBe('Bearer');
    // One generic message: no hint which check failed, and nothing of the person.
    expect(result.body.errors![0]!.message).toMatch(/a valid bearer token is required/);
    expect(result.text).not.toMatch(/E10\.9|Amir|expired|issuer|signature|audience|ERR_/i);
  }

  beforeAll(async () => {
    stack = await startTestStack();
    devKey = await importPKCS8(readFileSync(stack.keys.privateKeyFile, 'utf8'), 'ES256');
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('accepts a valid token (the baseline the refusals below differ from in one point only)', async () => {
    const result = await send({ authorization: `Bearer ${await sign()}` });
    expect(result.status).toBe(200);
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data.person.medicalDossier.conditions[0].code).toBe('E10.9');
  });

  it('refuses a request without a token', async () => {
    expectUnauthenticated(await send({}));
  });

  it.each([
    ['another scheme', 'Basic ZG9jdG9yOnNlY3JldA=='],
    ['no token after Bearer', 'Bearer'],
    ['not a JWT', 'Bearer not-a-token'],
    ['three garbage segments', 'Bearer abc.def.ghi'],
    ['two tokens', 'Bearer a.b.c d.e.f'],
  ])('refuses a malformed Authorization header (%s)', async (_name, header) => {
    expectUnauthenticated(await send({ authorization: header }));
  });

  it('refuses an expired token (beyond the clock tolerance)', async () => {
    expectUnauthenticated(await send({ authorization: `Bearer ${await sign({ expiresAt: Math.floor(Date.now() / 1000) - 120 })}` }));
  });

  it('refuses a token from another issuer', async () => {
    expectUnauthenticated(await send({ authorization: `Bearer ${await sign({ issuer: 'urn:someone-else' })}` }));
  });

  it('refuses a token for another audience', async () => {
    expectUnauthenticated(await send({ authorization: `Bearer ${await sign({ audience: 'another-service' })}` }));
  });

  it('refuses a token signed with another key', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    expectUnauthenticated(await send({ authorization: `Bearer ${await sign({ key: privateKey })}` }));
  });

  it('refuses a token whose claims were changed after signing (signature kept)', async () => {
    const officer = await sign({ claims: { org: 'dvo', roles: ['transport-officer'], purpose: 'transport' } });
    const [header, , signature] = parts(officer);
    const now = Math.floor(Date.now() / 1000);
    const forgedPayload = b64({ ...doctorClaims, sub: 'dev-transport-officer', iss: DEV_ISSUER, aud: DEV_AUDIENCE, iat: now - 600, exp: now + 3600 });
    expectUnauthenticated(await send({ authorization: `Bearer ${header}.${forgedPayload}.${signature}` }));
  });

  it('refuses an unsigned token (alg none)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const payload = b64({ ...doctorClaims, sub: 'dev-medical-doctor', iss: DEV_ISSUER, aud: DEV_AUDIENCE, iat: now, exp: now + 3600 });
    expectUnauthenticated(await send({ authorization: `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${payload}.` }));
  });

  it('refuses a token with the alg switched to HS256 and signed with the public key as secret', async () => {
    const now = Math.floor(Date.now() / 1000);
    const publicPem = readFileSync(stack.keys.publicKeyFile);
    const token = await new SignJWT({ ...doctorClaims })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject('dev-medical-doctor')
      .setIssuer(DEV_ISSUER)
      .setAudience(DEV_AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(new Uint8Array(publicPem));
    expectUnauthenticated(await send({ authorization: `Bearer ${token}` }));
  });

  it('refuses a validly signed token that lacks the claims the product needs (no roles)', async () => {
    expectUnauthenticated(await send({ authorization: `Bearer ${await sign({ claims: { org: 'medical', purpose: 'medical-care' } })}` }));
  });

  it('refuses an unknown purpose stated in the header with 400 BAD_USER_INPUT and no data', async () => {
    const result = await send({ authorization: `Bearer ${await sign()}`, 'x-purpose': 'curiosity' });
    expect(result.status).toBe(400);
    expect('data' in result.body).toBe(false);
    expect(result.body.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.text).not.toContain('E10.9');
  });

  it('refuses an unknown purpose in the token claim with 400 BAD_USER_INPUT', async () => {
    const result = await send({ authorization: `Bearer ${await sign({ claims: { ...doctorClaims, purpose: 'curiosity' } })}` });
    expect(result.status).toBe(400);
    expect(result.body.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.text).not.toContain('E10.9');
  });

  it('lets the stated purpose decide: a doctor stating supervision gets no dossier', async () => {
    const result = await send({ authorization: `Bearer ${await sign()}`, 'x-purpose': 'supervision' });
    expect(result.status).toBe(200);
    expect(result.body.data.person.name.given).toBe('Amir');
    expect(result.body.data.person.medicalDossier).toBeNull();
    expect(forbiddenByPath(result).get('person.medicalDossier')).toMatchObject({ code: 'FORBIDDEN', field: 'Person.medicalDossier', rule: 'default-deny' });
    expect(result.text).not.toContain('E10.9');
  });

  it('shows nothing to a valid token whose role is in no audience', async () => {
    const result = await stack.query<Json>(QUERY, { role: 'canteen-manager' });
    expect(result.status).toBe(200);
    expect(result.body.data).toEqual({ person: null });
    expect(result.body.errors).toHaveLength(1);
    expect(result.body.errors![0]).toMatchObject({ path: ['person'], extensions: { code: 'FORBIDDEN', field: 'Query.person', rule: 'default-deny' } });
    expect(JSON.stringify(result.body)).not.toMatch(/E10\.9|Amir/);
  });

  it('shows nothing to a medical role without a BIG registration (no audience without it)', async () => {
    const result = await stack.query<Json>(QUERY, { role: 'medical-doctor', tokenOptions: { bigRegistration: null } });
    expect(result.status).toBe(200);
    expect(result.body.data).toEqual({ person: null });
    expect(forbiddenByPath(result).get('person')).toMatchObject({ code: 'FORBIDDEN', field: 'Query.person' });
    expect(JSON.stringify(result.body)).not.toMatch(/E10\.9|Amir/);
  });
});
