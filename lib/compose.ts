import { composeServices } from '@apollo/composition';
import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { fromRoot } from './paths';
import { SUBGRAPH_NAMES, SUBGRAPH_PORTS } from './subgraph/registry-names';

/** Thrown when the subgraph schemas do not compose; carries every composition error. */
export class CompositionError extends Error {
  constructor(readonly errors: readonly Error[]) {
    super(`supergraph composition failed:\n${errors.map((e) => `  - ${e.message}`).join('\n')}`);
    this.name = 'CompositionError';
  }
}

/**
 * Composes the partners' `schema.graphql` files into the supergraph SDL with
 * @apollo/composition. The URLs recorded are the defaults (localhost:400x); the gateway
 * overrides them from configuration.
 */
export function composeSupergraph(): string {
  const services = SUBGRAPH_NAMES.map((name) => ({
    name,
    url: `http://localhost:${SUBGRAPH_PORTS[name]}/graphql`,
    typeDefs: parse(readFileSync(fromRoot('subgraphs', name, 'schema.graphql'), 'utf8')),
  }));
  const result = composeServices(services);
  if (result.errors) throw new CompositionError(result.errors);
  return result.supergraphSdl;
}

/** Path of the checked-in supergraph. */
export const SUPERGRAPH_PATH = 'schema/supergraph.graphql';
