import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLSchema } from 'graphql';
import { DateTimeScalar } from './kit';
import type { SubgraphDefinition } from './types';

/** The executable subgraph schema of a definition, before any authorization middleware. */
export function buildDefinitionSchema(definition: SubgraphDefinition<any>): GraphQLSchema {
  return buildSubgraphSchema([
    {
      typeDefs: definition.typeDefs,
      resolvers: { ...definition.resolvers, DateTime: DateTimeScalar } as never,
    },
  ]);
}
