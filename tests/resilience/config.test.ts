import { readResilienceConfig } from '../../gateway/resilience/config';
import { ConfigError } from '../../lib/config';
import { readShutdownGraceMs } from '../../lib/http/graceful-shutdown';
import { SUBGRAPH_NAMES } from '../../lib/subgraph/registry-names';

/** The resilience settings: documented defaults, per-subgraph overrides, validation naming the variable. */

it('has the documented defaults', () => {
  const config = readResilienceConfig({});
  for (const name of SUBGRAPH_NAMES) expect(config.timeoutsMs[name]).toBe(5_000);
  expect(config).toMatchObject({ breakerThreshold: 5, breakerCooldownMs: 10_000, readinessTimeoutMs: 1_000, shutdownGraceMs: 10_000 });
  expect(readShutdownGraceMs({})).toBe(10_000);
});

it('takes SUBGRAPH_TIMEOUT_MS for every subgraph and <NAME>_TIMEOUT_MS for one', () => {
  const config = readResilienceConfig({ SUBGRAPH_TIMEOUT_MS: '3000', MEDICAL_TIMEOUT_MS: '1500', CIRCUIT_BREAKER_THRESHOLD: '2', CIRCUIT_BREAKER_COOLDOWN_MS: '250', SHUTDOWN_GRACE_MS: '0' });
  expect(config.timeoutsMs.medical).toBe(1_500);
  expect(config.timeoutsMs.dtv).toBe(3_000);
  expect(config).toMatchObject({ breakerThreshold: 2, breakerCooldownMs: 250, shutdownGraceMs: 0 });
});

it.each([
  ['SUBGRAPH_TIMEOUT_MS', 'soon'],
  ['SUBGRAPH_TIMEOUT_MS', '10'],
  ['DJI_TIMEOUT_MS', '-1'],
  ['COA_TIMEOUT_MS', '999999999'],
  ['CIRCUIT_BREAKER_THRESHOLD', '0'],
  ['CIRCUIT_BREAKER_COOLDOWN_MS', '1.5'],
  ['READINESS_TIMEOUT_MS', 'x'],
  ['SHUTDOWN_GRACE_MS', '-5'],
])('refuses %s=%s naming the variable', (name, value) => {
  expect(() => readResilienceConfig({ [name]: value })).toThrow(ConfigError);
  expect(() => readResilienceConfig({ [name]: value })).toThrow(new RegExp(name));
});
