import { readFileSync } from 'node:fs';
import {
  GraphQLError,
  Kind,
  getLocation,
  parse,
  type ConstDirectiveNode,
  type DefinitionNode,
  type DocumentNode,
  type FieldDefinitionNode,
} from 'graphql';
import { readClassifications } from '../classification';
import type { FieldClassification } from '../model';
import { ToolInputError } from './problems';

/** Which partners (subgraphs) resolve a field, and the group the tools show it under. */
export interface FieldOwnership {
  /** Subgraph names that resolve the field, in the supergraph's graph order. */
  partners: string[];
  /** The one partner, or `shared` when several partners resolve it (key fields, value types). */
  partner: string;
}

/** A supergraph as the policy tools need it. */
export interface SupergraphInfo {
  /** The file as shown to the user. */
  file: string;
  document: DocumentNode;
  /** Every output field with its classification (see readClassifications). */
  fields: Map<string, FieldClassification>;
  /** Who owns each field, from @join__type and @join__field. */
  ownership: Map<string, FieldOwnership>;
  /** Where each field is defined in the supergraph file. */
  locations: Map<string, { line: number; column: number }>;
  /** Subgraph names in the order of the join__Graph enum. */
  partners: string[];
}

/** The group name for fields that several partners resolve. */
export const SHARED_PARTNER = 'shared';

function argument(directive: ConstDirectiveNode, name: string): string | boolean | undefined {
  const value = directive.arguments?.find((a) => a.name.value === name)?.value;
  if (!value) return undefined;
  if (value.kind === Kind.ENUM || value.kind === Kind.STRING) return value.value;
  if (value.kind === Kind.BOOLEAN) return value.value;
  return undefined;
}

function objectLike(definition: DefinitionNode): { name: string; directives: readonly ConstDirectiveNode[]; fields: readonly FieldDefinitionNode[] } | undefined {
  if (
    definition.kind === Kind.OBJECT_TYPE_DEFINITION ||
    definition.kind === Kind.OBJECT_TYPE_EXTENSION ||
    definition.kind === Kind.INTERFACE_TYPE_DEFINITION ||
    definition.kind === Kind.INTERFACE_TYPE_EXTENSION
  ) {
    return { name: definition.name.value, directives: definition.directives ?? [], fields: definition.fields ?? [] };
  }
  return undefined;
}

/**
 * Reads which subgraph resolves each field from the supergraph's join directives: a field's
 * non-external `@join__field(graph:)` graphs, else its type's `@join__type(graph:)` graphs.
 * Graph enum values are mapped to subgraph names through `@join__graph(name:)`.
 */
export function readOwnership(document: DocumentNode): { partners: string[]; fields: Map<string, FieldOwnership> } {
  const graphNames = new Map<string, string>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.ENUM_TYPE_DEFINITION && definition.name.value === 'join__Graph') {
      for (const value of definition.values ?? []) {
        const joinGraph = value.directives?.find((d) => d.name.value === 'join__graph');
        const name = joinGraph ? argument(joinGraph, 'name') : undefined;
        graphNames.set(value.name.value, typeof name === 'string' ? name : value.name.value.toLowerCase());
      }
    }
  }
  const partners = [...graphNames.values()];
  const order = (names: Iterable<string>) => [...new Set(names)].sort((a, b) => partners.indexOf(a) - partners.indexOf(b));
  const graphOf = (directive: ConstDirectiveNode) => {
    const graph = argument(directive, 'graph');
    return typeof graph === 'string' ? (graphNames.get(graph) ?? graph.toLowerCase()) : undefined;
  };
  const fields = new Map<string, FieldOwnership>();
  for (const definition of document.definitions) {
    const object = objectLike(definition);
    if (!object) continue;
    const typeGraphs = object.directives.filter((d) => d.name.value === 'join__type').map(graphOf).filter((g): g is string => !!g);
    for (const field of object.fields) {
      const joins = (field.directives ?? []).filter((d) => d.name.value === 'join__field');
      const resolving = joins.filter((d) => argument(d, 'external') !== true).map(graphOf).filter((g): g is string => !!g);
      const owners = order(resolving.length > 0 ? resolving : typeGraphs);
      fields.set(`${object.name}.${field.name.value}`, { partners: owners, partner: owners.length === 1 ? owners[0]! : SHARED_PARTNER });
    }
  }
  return { partners, fields };
}

/** Line and column of every field definition in SDL, by `Type.field` (first definition wins). */
export function fieldLocations(document: DocumentNode): Map<string, { line: number; column: number }> {
  const locations = new Map<string, { line: number; column: number }>();
  for (const definition of document.definitions) {
    const object = objectLike(definition);
    if (!object) continue;
    for (const field of object.fields) {
      const coordinate = `${object.name}.${field.name.value}`;
      if (locations.has(coordinate) || !field.loc) continue;
      const { line, column } = getLocation(field.loc.source, field.loc.start);
      locations.set(coordinate, { line, column });
    }
  }
  return locations;
}

/** Reads and parses a supergraph file; throws ToolInputError naming the file (and line) when it cannot. */
export function readSupergraph(path: string, shownAs: string): SupergraphInfo {
  let sdl: string;
  try {
    sdl = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ToolInputError([{ file: shownAs, line: 0, column: 0, message: `cannot read the supergraph (${(error as NodeJS.ErrnoException).code ?? 'error'})` }]);
  }
  let document: DocumentNode;
  try {
    document = parse(sdl);
  } catch (error) {
    const location = error instanceof GraphQLError ? error.locations?.[0] : undefined;
    const message = error instanceof GraphQLError ? error.message : String(error);
    throw new ToolInputError([{ file: shownAs, line: location?.line ?? 0, column: location?.column ?? 0, message: `the supergraph is not valid GraphQL SDL: ${message}` }]);
  }
  const ownership = readOwnership(document);
  return {
    file: shownAs,
    document,
    fields: readClassifications(document),
    ownership: ownership.fields,
    locations: fieldLocations(document),
    partners: ownership.partners,
  };
}
