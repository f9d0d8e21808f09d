/**
 * Configuration from environment variables, validated once at start.
 *
 * Every setting has a documented default (see README, "Configuration"); a value that is
 * present but malformed stops the start with a message naming the variable, rather than
 * silently falling back to the default.
 */

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Reads a string variable; `fallback` when unset or empty. */
export function envString(name: string, fallback: string, env: Env = process.env): string {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? fallback : raw.trim();
}

/** Reads an optional string variable; undefined when unset or empty. */
export function envOptional(name: string, env: Env = process.env): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

/** Reads an integer within [min, max]; throws ConfigError on anything else. */
export function envInt(name: string, fallback: number, min: number, max: number, env: Env = process.env): number {
  const raw = envOptional(name, env);
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw)) throw new ConfigError(`${name} must be an integer, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** Reads a boolean (`true/false/1/0/yes/no`); throws ConfigError on anything else. */
export function envBool(name: string, fallback: boolean, env: Env = process.env): boolean {
  const raw = envOptional(name, env);
  if (raw === undefined) return fallback;
  const lower = raw.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(lower)) return true;
  if (['0', 'false', 'no', 'off'].includes(lower)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

/** Reads one of a fixed set of values; throws ConfigError on anything else. */
export function envEnum<T extends string>(name: string, fallback: T, allowed: readonly T[], env: Env = process.env): T {
  const raw = envOptional(name, env);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

/** Reads an absolute http(s) URL; throws ConfigError on anything else. */
export function envUrl(name: string, fallback: string, env: Env = process.env): string {
  const raw = envString(name, fallback, env);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be an absolute URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${name} must be an http or https URL, got "${raw}"`);
  }
  return raw;
}

/** True when running in development mode (NODE_ENV=development): enables introspection and detailed errors. */
export function isDevelopment(env: Env = process.env): boolean {
  return env.NODE_ENV === 'development';
}
