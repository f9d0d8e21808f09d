import { ConfigError } from '../../lib/config';
import { readGatewayConfig } from '../../gateway/config';

/** The gateway's access log settings: where records go and how long it waits, validated at start. */

const BASE = {
  TOKEN_PUBLIC_KEY_FILE: '/dev/null',
  GATEWAY_SIGNING_SECRET: 'a-test-signing-secret-of-at-least-32-chars',
};

it('posts to the audit subgraph\'s /access-records by default, with a 2 s timeout', () => {
  expect(readGatewayConfig(BASE).accessLog).toEqual({ url: 'http://127.0.0.1:4006/access-records', timeoutMs: 2000 });
  expect(readGatewayConfig({ ...BASE, AUDIT_URL: 'http://audit:4006/graphql' }).accessLog.url).toBe('http://audit:4006/access-records');
  expect(readGatewayConfig(BASE).subgraphUrls.audit).toBe('http://127.0.0.1:4006/graphql');
});

it('takes ACCESS_LOG_URL and ACCESS_LOG_TIMEOUT_MS', () => {
  const config = readGatewayConfig({ ...BASE, ACCESS_LOG_URL: 'https://audit.internal/access-records', ACCESS_LOG_TIMEOUT_MS: '500' });
  expect(config.accessLog).toEqual({ url: 'https://audit.internal/access-records', timeoutMs: 500 });
});

it.each([
  [{ ACCESS_LOG_URL: 'audit:4006' }, 'ACCESS_LOG_URL must be'],
  [{ ACCESS_LOG_URL: 'ftp://audit/access-records' }, 'ACCESS_LOG_URL must be an http or https URL'],
  [{ ACCESS_LOG_TIMEOUT_MS: 'soon' }, 'ACCESS_LOG_TIMEOUT_MS must be an integer'],
  [{ ACCESS_LOG_TIMEOUT_MS: '0' }, 'ACCESS_LOG_TIMEOUT_MS must be between 50 and 60000'],
  [{ AUDIT_URL: 'not a url' }, 'AUDIT_URL must be an absolute URL'],
])('refuses %o', (env, message) => {
  expect(() => readGatewayConfig({ ...BASE, ...env })).toThrow(ConfigError);
  expect(() => readGatewayConfig({ ...BASE, ...env })).toThrow(message);
});
