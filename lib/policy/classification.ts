import {
  Kind,
  type ConstDirectiveNode,
  type DefinitionNode,
  type DocumentNode,
  type FieldDefinitionNode,
} from 'graphql';
import type { FieldClassification } from './model';

/** The directive partners classify with, as named in every subgraph and the supergraph. */
export const CLASSIFICATION_DIRECTIVE = 'classification';

/** Types and fields that federation and introspection add; never classified, never person data. */
const BUILT_IN_TYPES = new Set(['_Service', '_Any', '_Entity', 'link__Import', 'join__Graph', 'join__FieldSet', 'join__DirectiveArguments', 'link__Purpose']);
const BUILT_IN_FIELDS = new Set(['Query._service', 'Query._entities']);

function classOf(directives: readonly ConstDirectiveNode[] | undefined): string | undefined {
  const directive = directives?.find((d) => d.name.value === CLASSIFICATION_DIRECTIVE);
  const argument = directive?.arguments?.find((a) => a.name.value === 'class');
  return argument && argument.value.kind === Kind.STRING ? argument.value.value : undefined;
}

function objectFields(definition: DefinitionNode): { typeName: string; typeClass: string | undefined; fields: readonly FieldDefinitionNode[] } | undefined {
  if (
    definition.kind === Kind.OBJECT_TYPE_DEFINITION ||
    definition.kind === Kind.OBJECT_TYPE_EXTENSION ||
    definition.kind === Kind.INTERFACE_TYPE_DEFINITION ||
    definition.kind === Kind.INTERFACE_TYPE_EXTENSION
  ) {
    return { typeName: definition.name.value, typeClass: classOf(definition.directives), fields: definition.fields ?? [] };
  }
  return undefined;
}

/**
 * Reads the classification of every output field from SDL: a subgraph's schema.graphql or
 * the composed supergraph (which carries the directive through @composeDirective). A
 * field's own directive wins over its type's. Federation and introspection built-ins are
 * left out. Fields without any classification are returned with `className` undefined so
 * that callers can refuse them.
 */
export function readClassifications(document: DocumentNode): Map<string, FieldClassification> {
  const typeClasses = new Map<string, string>();
  for (const definition of document.definitions) {
    const object = objectFields(definition);
    if (object?.typeClass) typeClasses.set(object.typeName, object.typeClass);
  }
  const result = new Map<string, FieldClassification>();
  for (const definition of document.definitions) {
    const object = objectFields(definition);
    if (!object || BUILT_IN_TYPES.has(object.typeName) || object.typeName.startsWith('__')) continue;
    for (const field of object.fields) {
      const coordinate = `${object.typeName}.${field.name.value}`;
      if (BUILT_IN_FIELDS.has(coordinate)) continue;
      const className = classOf(field.directives) ?? typeClasses.get(object.typeName) ?? result.get(coordinate)?.className;
      result.set(coordinate, { coordinate, typeName: object.typeName, fieldName: field.name.value, className });
    }
  }
  return result;
}

/** True for the federation fields and types that every subgraph must serve to the gateway. */
export function isFederationBuiltIn(typeName: string, fieldName?: string): boolean {
  if (fieldName === undefined) return BUILT_IN_TYPES.has(typeName);
  return BUILT_IN_TYPES.has(typeName) || BUILT_IN_FIELDS.has(`${typeName}.${fieldName}`);
}
