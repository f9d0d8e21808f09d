import type { Server } from 'node:http';

/**
 * Stops accepting connections and resolves once in-flight requests have finished, or
 * after `graceMs`, when remaining connections are cut. Idle keep-alive connections are
 * closed at once, so a quiet server stops immediately.
 */
export function closeHttpServer(server: Server, graceMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
