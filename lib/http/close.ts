import type { Server } from 'node:http';

/**
 * Stops accepting connections and resolves once in-flight requests have finished, or
 * after `graceMs`, when remaining connections are cut. Idle keep-alive connections are
 * closed at once, and busy ones as soon as their request is done, so a quiet server stops
 * immediately and a busy one as soon as its requests in flight are answered.
 */
export function closeHttpServer(server: Server, graceMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    timer.unref();
    // A keep-alive connection whose request finishes during the drain would otherwise stay
    // open until its client or keepAliveTimeout ends it: close each one as soon as it is idle.
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    sweep.unref();
    server.close(() => {
      clearTimeout(timer);
      clearInterval(sweep);
      resolve();
    });
    server.closeIdleConnections();
  });
}
