/**
 * `node dist/scripts/healthcheck.js [subgraph | URL]`: the container health check (the
 * image has no curl). Exits 0 when `GET /health` answers 200 within the timeout, 1
 * otherwise. Without an argument it checks the gateway on `PORT` (default 4000), the
 * image's default command; with a subgraph name, that subgraph on its `<NAME>_PORT`; with
 * a URL, that URL.
 */
import { get } from 'node:http';
import { envInt } from '../lib/config';
import { SUBGRAPH_PORTS, type SubgraphName } from '../lib/subgraph/registry-names';

const GATEWAY_DEFAULT_PORT = 4000;
const TIMEOUT_MS = 3_000;

/** The URL the health check asks, from its argument and the service's environment. */
export function healthUrl(arg: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (arg && /^https?:\/\//.test(arg)) return arg;
  if (arg) {
    if (!Object.hasOwn(SUBGRAPH_PORTS, arg)) throw new Error(`unknown subgraph "${arg}"; known: ${Object.keys(SUBGRAPH_PORTS).join(', ')}`);
    const name = arg as SubgraphName;
    return `http://127.0.0.1:${envInt(`${name.toUpperCase()}_PORT`, SUBGRAPH_PORTS[name], 0, 65535, env)}/health`;
  }
  return `http://127.0.0.1:${envInt('PORT', GATEWAY_DEFAULT_PORT, 0, 65535, env)}/health`;
}

function check(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = get(url, { timeout: TIMEOUT_MS }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', () => resolve(false));
  });
}

if (require.main === module) {
  let url: string;
  try {
    url = healthUrl(process.argv[2]);
  } catch (error) {
    console.error(`healthcheck: ${(error as Error).message}`);
    process.exit(2);
  }
  void check(url).then((healthy) => {
    if (!healthy) console.error(`healthcheck: ${url} is not healthy`);
    process.exit(healthy ? 0 : 1);
  });
}
