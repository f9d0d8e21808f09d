import { ConfigError } from '../../lib/config';
import { BENCHMARK_SWITCH, benchmarkDisablesAuthorization } from '../../gateway/benchmark-mode';
import { readGatewayConfig } from '../../gateway/config';

/** The benchmark-only switch that turns authorization and the access log off. */

const base = { TOKEN_PUBLIC_KEY_FILE: '/dev/null', GATEWAY_SIGNING_SECRET: 'x'.repeat(32) };

it('is off unless set', () => {
  expect(benchmarkDisablesAuthorization({})).toBe(false);
  expect(benchmarkDisablesAuthorization({ NODE_ENV: 'benchmark' })).toBe(false);
  expect(readGatewayConfig({ ...base }).benchmarkUnsafeNoAuthorization).toBe(false);
});

it('is honoured only with NODE_ENV=benchmark', () => {
  expect(benchmarkDisablesAuthorization({ NODE_ENV: 'benchmark', [BENCHMARK_SWITCH]: '1' })).toBe(true);
  expect(readGatewayConfig({ ...base, NODE_ENV: 'benchmark', [BENCHMARK_SWITCH]: '1' }).benchmarkUnsafeNoAuthorization).toBe(true);
});

it.each([undefined, 'production', 'development', 'test'])('refuses to start with the switch under NODE_ENV=%s', (nodeEnv) => {
  const env = { ...base, [BENCHMARK_SWITCH]: '1', ...(nodeEnv ? { NODE_ENV: nodeEnv } : {}) };
  expect(() => readGatewayConfig(env)).toThrow(ConfigError);
  expect(() => readGatewayConfig(env)).toThrow(/benchmark-only/);
});
