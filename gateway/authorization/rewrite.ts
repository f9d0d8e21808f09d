import {
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FieldNode,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import type { Decision } from '../../lib/policy/model';

/** A field the caller may not read, as it appears in the operation. */
export interface DeniedField {
  node: FieldNode;
  coordinate: string;
  rule: string;
  className: string | undefined;
}

export interface AuthorizedOperation {
  /** The operation with every denied field removed: what gets planned and fetched. */
  document: DocumentNode;
  /** Denied fields by their node in the ORIGINAL document (the result walk looks them up). */
  denied: Map<FieldNode, DeniedField>;
  /** True when `inject` added a selection somewhere (the access log's subject key). */
  injected: boolean;
}

/**
 * A selection to add to every selection set on a type (after denied fields are removed),
 * or undefined for none. The access log uses it to learn each Person's V-number.
 */
export type InjectSelection = (typeName: string) => FieldNode | undefined;

/**
 * Response key of the `__typename` put into a selection set that authorization emptied
 * (GraphQL allows no empty selection sets). Removed from the result again by fillDeniedFields.
 */
export const PLACEHOLDER_KEY = '__authorizationPlaceholder';

const PLACEHOLDER: FieldNode = {
  kind: Kind.FIELD,
  alias: { kind: Kind.NAME, value: PLACEHOLDER_KEY },
  name: { kind: Kind.NAME, value: '__typename' },
};

/**
 * Removes from an operation every field the caller may not read, before planning, so
 * that denied data is never fetched from a partner. Decisions come from `decide`
 * (allow and conditional pass: conditional fields are decided by the subgraph that holds
 * the data). A selection set left empty keeps its object with a placeholder `__typename`, so the denied
 * children can still be reported as null at their own paths. `inject` adds a selection to
 * every selection set of the types it names, whether or not anything was denied.
 */
export function removeDeniedFields(
  schema: GraphQLSchema,
  document: DocumentNode,
  decide: (coordinate: string) => Decision,
  classOf: (coordinate: string) => string | undefined,
  inject?: InjectSelection,
): AuthorizedOperation {
  const denied = new Map<FieldNode, DeniedField>();
  let injected = false;
  const typeInfo = new TypeInfo(schema);
  const rewritten = visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field: {
        enter(node) {
          const parent = typeInfo.getParentType();
          const name = node.name.value;
          if (!parent || name.startsWith('__')) return undefined;
          const coordinate = `${parent.name}.${name}`;
          const decision = decide(coordinate);
          if (decision.effect !== 'deny') return undefined;
          denied.set(node, { node, coordinate, rule: decision.rule, className: classOf(coordinate) });
          return null;
        },
      },
      SelectionSet: {
        leave(node): SelectionSetNode | undefined {
          // Still inside the selection set here: the parent type is the set's own type.
          const parent = typeInfo.getParentType();
          const extra = parent && inject ? inject(parent.name) : undefined;
          if (extra) {
            injected = true;
            return { ...node, selections: [...node.selections, extra] };
          }
          return node.selections.length === 0 ? { ...node, selections: [PLACEHOLDER] } : undefined;
        },
      },
    }),
  );
  return { document: rewritten, denied, injected };
}
