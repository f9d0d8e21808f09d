import pino, { type Logger } from 'pino';

/**
 * The process logger: JSON lines on stdout, level from LOG_LEVEL (default info; `silent`
 * in tests unless LOG_LEVEL is set). Never log personal data: no V-numbers, no field
 * values, no tokens. Known risky keys are redacted as a backstop.
 */
export function createLogger(name: string): Logger {
  const level = process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info');
  return pino({
    name,
    level,
    base: { service: name },
    redact: {
      paths: ['vNumber', '*.vNumber', 'variables', '*.variables', 'authorization', '*.authorization', 'token', 'headers.authorization'],
      censor: '[redacted]',
    },
  });
}

export type { Logger };
