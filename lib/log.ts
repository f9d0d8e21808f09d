import pino, { type DestinationStream, type Logger } from 'pino';
import { envInt } from './config';

/** How often a buffered log is written out even when its buffer is not full. */
const FLUSH_INTERVAL_MS = 1_000;

let shared: DestinationStream | undefined;

/**
 * The one stdout destination of this process, shared by every logger in it. Buffered by
 * default (LOG_BUFFER_BYTES, default 4096; 0 writes each line at once): every service logs
 * one line per request, and on this kind of machine a write(2) per line was a measurable
 * share of a request's CPU (bench/profile.ts). Lines wait at most FLUSH_INTERVAL_MS; pino
 * flushes the buffer on exit, so only a SIGKILL can lose the last second of log.
 */
function destination(): DestinationStream {
  if (shared) return shared;
  const bytes = envInt('LOG_BUFFER_BYTES', 4096, 0, 1_048_576);
  if (bytes === 0) {
    shared = pino.destination({ dest: 1, sync: true });
  } else {
    const stream = pino.destination({ dest: 1, sync: false, minLength: bytes });
    let pending = false;
    setInterval(() => {
      if (!pending) return;
      pending = false;
      // flush() throws while the stream is still opening; the next tick of the timer retries.
      try {
        stream.flush();
      } catch {
        pending = true;
      }
    }, FLUSH_INTERVAL_MS).unref();
    shared = {
      write(line: string) {
        pending = true;
        return stream.write(line);
      },
    };
  }
  return shared;
}

/**
 * The process logger: JSON lines on stdout, level from LOG_LEVEL (default info; `silent`
 * in tests unless LOG_LEVEL is set). Never log personal data: no V-numbers, no field
 * values, no tokens. Known risky keys are redacted as a backstop.
 */
export function createLogger(name: string): Logger {
  const level = process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info');
  return pino(
    {
      name,
      level,
      base: { service: name },
      redact: {
        paths: ['vNumber', '*.vNumber', 'variables', '*.variables', 'authorization', '*.authorization', 'token', 'headers.authorization'],
        censor: '[redacted]',
      },
    },
    destination(),
  );
}

export type { Logger };
