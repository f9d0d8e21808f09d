/**
 * `npm run compose`: regenerates schema/supergraph.graphql from the subgraph SDL files.
 * `npm run compose -- --check` exits 1 when the checked-in file is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { composeSupergraph, CompositionError, SUPERGRAPH_PATH } from '../lib/compose';
import { fromRoot } from '../lib/paths';

function main(): number {
  let sdl: string;
  try {
    sdl = composeSupergraph();
  } catch (error) {
    if (error instanceof CompositionError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  const path = fromRoot(SUPERGRAPH_PATH);
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(path, 'utf8');
    } catch {
      /* missing counts as stale */
    }
    if (current !== sdl) {
      console.error(`${SUPERGRAPH_PATH} is stale: run npm run compose and commit the result`);
      return 1;
    }
    console.log(`${SUPERGRAPH_PATH} is up to date`);
    return 0;
  }
  writeFileSync(path, sdl);
  console.log(`wrote ${SUPERGRAPH_PATH}`);
  return 0;
}

process.exitCode = main();
