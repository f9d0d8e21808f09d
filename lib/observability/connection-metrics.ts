import type { Server } from 'node:net';
import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * Counts the TCP connections an HTTP server accepts, on the server's registry:
 * `chain_http_connections_accepted_total` and `chain_http_connections_open`. A gateway that
 * keeps its subgraph connections alive opens a handful per subgraph and then reuses them;
 * an accepted-connections rate that follows the request rate means keep-alive is broken
 * somewhere between the two (a proxy, an idle timeout shorter than the pool's).
 */
export function watchConnections(server: Server, registry: Registry): void {
  const accepted = new Counter({ name: 'chain_http_connections_accepted_total', help: 'TCP connections accepted by this server', registers: [registry] });
  let open = 0;
  new Gauge({
    name: 'chain_http_connections_open',
    help: 'TCP connections open to this server now',
    registers: [registry],
    collect() {
      this.set(open);
    },
  });
  server.on('connection', (socket) => {
    accepted.inc();
    open++;
    socket.once('close', () => open--);
  });
}
