/**
 * The replay servers of `npm run bench` as one process of their own (bench/replay.ts), so
 * that their CPU time is measured apart from the gateway's. Started by bench/run.ts with
 *   PORT            the control port: GET /health, GET /stats, POST /mode?to=record|replay
 *   REPLAY_CONFIG   JSON { upstreams: { <subgraph>: "http://127.0.0.1:<port>" }, ports: { <subgraph>: <port> } }
 * 127.0.0.1 only. Stops on SIGTERM/SIGINT.
 */
import { createServer } from 'node:http';
import { startReplay, type ReplayMode } from './replay';

async function main(): Promise<void> {
  const controlPort = Number(process.env.PORT);
  const config = JSON.parse(process.env.REPLAY_CONFIG ?? '{}') as { upstreams?: Record<string, string>; ports?: Record<string, number> };
  if (!Number.isInteger(controlPort) || controlPort <= 0 || !config.upstreams || !config.ports) {
    throw new Error('set PORT (control port) and REPLAY_CONFIG ({ upstreams, ports })');
  }
  const replay = await startReplay({ upstreams: config.upstreams, ports: config.ports });
  const control = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    req.resume();
    if (req.method === 'GET' && url.pathname === '/health') return send(200, { status: 'ok', mode: replay.mode() });
    if (req.method === 'GET' && url.pathname === '/stats') return send(200, replay.stats());
    if (req.method === 'POST' && url.pathname === '/mode') {
      const to = url.searchParams.get('to');
      if (to !== 'record' && to !== 'replay') return send(400, { error: 'to must be record or replay' });
      replay.setMode(to as ReplayMode);
      return send(200, replay.stats());
    }
    send(404, { error: 'not found' });
  });
  await new Promise<void>((resolve, reject) => {
    control.once('error', reject);
    control.listen(controlPort, '127.0.0.1', () => resolve());
  });
  console.log(`replay servers ready: ${Object.entries(replay.bases).map(([name, base]) => `${name} ${base}`).join(', ')}; control on 127.0.0.1:${controlPort}`);
  const stop = () => {
    control.close();
    control.closeAllConnections();
    void replay.close().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(`replay servers could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
