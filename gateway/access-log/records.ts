import {
  getNamedType,
  isAbstractType,
  isListType,
  isObjectType,
  isNonNullType,
  Kind,
  type FieldNode,
  type GraphQLCompositeType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { FieldDenial, SubjectAccess } from '../../lib/access-log/wire';
import { isAuditedClass } from '../../lib/policy/audit';
import type { CompiledPolicy } from '../../lib/policy/compiled';
import { DEFAULT_DENY } from '../../lib/policy/model';
import { cachedFieldCollector, collectFields, runtimeTypeOf, type OperationScope } from '../authorization/collect-fields';
import { SUBJECT_KEY, subjectValue } from './subject';

/** A response path: keys and list indices, as in GraphQL errors. */
export type Path = Array<string | number>;

/**
 * An audited field that came back non-null and is not inside another audited field: what
 * must be withheld when its record cannot be written. `anchor` is where the null goes: the
 * field itself, or its nearest nullable ancestor when the field is non-null (as GraphQL
 * propagates a null); an empty anchor means the whole `data`.
 */
export interface Release {
  path: Path;
  coordinate: string;
  anchor: Path;
}

/** The error shape read from results: the gateway's own errors and the subgraphs'. */
export interface ResultError {
  path?: ReadonlyArray<string | number>;
  extensions?: Record<string, unknown>;
}

/** Everything one request did with audited data: one record per data subject, and what was released. */
export interface AccessFindings {
  records: SubjectAccess[];
  releases: Release[];
}

const V_NUMBER = /^\d{10}$/;
const COORDINATE = /^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/;

interface Accumulator {
  allowed: Set<string>;
  denied: Map<string, FieldDenial>;
}

interface Walk extends OperationScope {
  policy: CompiledPolicy;
  bySubject: Map<string | null, Accumulator>;
  releases: Map<string, Release>;
  /** collectFields per selection set and runtime type: a list of N persons is collected once, not N times. */
  fieldsOf: (selectionSet: SelectionSetNode, runtime: GraphQLObjectType) => FieldNode[];
  /** Whether a coordinate is of an audited class, per coordinate (the policy is fixed for the walk). */
  audited: Map<string, boolean>;
  /** Whether a selection set selects an audited field at any depth, per selection set (the operation is fixed for the walk). */
  holdsAudited: Map<SelectionSetNode, boolean>;
  /** stepsOf per collected field list. */
  steps: Map<readonly FieldNode[], FieldStep[]>;
}

/**
 * True when `selectionSet` on `type` selects an audited field somewhere beneath it (any
 * runtime type, fragments and @skip/@include as executed). Decided from the operation once
 * per selection set, so that lists of orders, belongings or stays without audited fields
 * are not walked value by value.
 */
function mayHoldAudited(walk: Walk, selectionSet: SelectionSetNode, type: GraphQLCompositeType, depth = 0): boolean {
  const known = walk.holdsAudited.get(selectionSet);
  if (known !== undefined) return known;
  let holds = depth > 32; // pathological nesting: walk it rather than guess
  for (const runtime of holds ? [] : objectTypes(walk, type)) {
    const fields = runtime.getFields();
    for (const field of walk.fieldsOf(selectionSet, runtime)) {
      const definition = fields[field.name.value];
      if (!definition || field.name.value.startsWith('__')) continue;
      if (isAudited(walk, `${runtime.name}.${field.name.value}`)) holds = true;
      else if (field.selectionSet && mayHoldAudited(walk, field.selectionSet, getNamedType(definition.type) as GraphQLCompositeType, depth + 1)) holds = true;
      if (holds) break;
    }
    if (holds) break;
  }
  walk.holdsAudited.set(selectionSet, holds);
  return holds;
}

function isAudited(walk: Walk, coordinate: string): boolean {
  let audited = walk.audited.get(coordinate);
  if (audited === undefined) {
    audited = isAuditedClass(walk.policy.document, walk.policy.classOf(coordinate));
    walk.audited.set(coordinate, audited);
  }
  return audited;
}

function entry(walk: Walk, subject: string | undefined): Accumulator {
  const key = subject ?? null;
  let accumulator = walk.bySubject.get(key);
  if (!accumulator) {
    accumulator = { allowed: new Set(), denied: new Map() };
    walk.bySubject.set(key, accumulator);
  }
  return accumulator;
}

/** The V-number a root field names in its `vNumber` argument (literal or variable), when it is one. */
function argumentSubject(field: FieldNode, variables: Record<string, unknown>): string | undefined {
  const argument = field.arguments?.find((a) => a.name.value === 'vNumber');
  if (!argument) return undefined;
  const value =
    argument.value.kind === Kind.STRING
      ? argument.value.value
      : argument.value.kind === Kind.VARIABLE
        ? variables[argument.value.name.value]
        : undefined;
  return typeof value === 'string' && V_NUMBER.test(value) ? value : undefined;
}

function walkValue(walk: Walk, value: unknown, type: GraphQLOutputType, selectionSet: SelectionSetNode, path: Path, subject: string | undefined, anchor: Path, inAudited: boolean): void {
  if (value === null || value === undefined) return;
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) {
    if (!Array.isArray(value)) return;
    const itemType = inner.ofType as GraphQLOutputType;
    value.forEach((item, i) => {
      const itemPath = [...path, i];
      walkValue(walk, item, itemType, selectionSet, itemPath, subject, isNonNullType(itemType) ? anchor : itemPath, inAudited);
    });
    return;
  }
  if (typeof value !== 'object') return;
  const runtime = runtimeTypeOf(walk, getNamedType(inner) as GraphQLCompositeType, value as Record<string, unknown>);
  if (runtime) walkObject(walk, value as Record<string, unknown>, runtime, selectionSet, path, subject, anchor, inAudited);
}

/** What walkObject needs of one selected field on one runtime type, worked out once per walk. */
interface FieldStep {
  name: string;
  /** Response key (alias or name). */
  key: string;
  coordinate: string;
  audited: boolean;
  nonNull: boolean;
  type: GraphQLOutputType;
  field: FieldNode;
  /** Whether the value beneath must be walked: audited itself, or its selections hold an audited field. */
  descend: boolean;
}

/**
 * The steps for `selectionSet` on `type`. fieldsOf answers the same array for the same
 * selection set and type during a walk, so a page of 20 persons builds its steps once:
 * no coordinate string, no lookups per field and value.
 */
function stepsOf(walk: Walk, selectionSet: SelectionSetNode, type: GraphQLObjectType): FieldStep[] {
  const selected = walk.fieldsOf(selectionSet, type);
  let steps = walk.steps.get(selected);
  if (steps) return steps;
  steps = [];
  const fields = type.getFields();
  for (const field of selected) {
    const name = field.name.value;
    const definition = fields[name];
    if (!definition || name.startsWith('__')) continue;
    const coordinate = `${type.name}.${name}`;
    const audited = isAudited(walk, coordinate);
    steps.push({
      name,
      key: field.alias?.value ?? name,
      coordinate,
      audited,
      nonNull: isNonNullType(definition.type),
      type: definition.type,
      field,
      // A subtree whose selections hold no audited field cannot add a record or a release: not walked.
      descend: field.selectionSet !== undefined && (audited || mayHoldAudited(walk, field.selectionSet, getNamedType(definition.type) as GraphQLCompositeType)),
    });
  }
  walk.steps.set(selected, steps);
  return steps;
}

function walkObject(walk: Walk, value: Record<string, unknown>, type: GraphQLObjectType, selectionSet: SelectionSetNode, path: Path, subject: string | undefined, anchor: Path, inAudited: boolean): void {
  const own = subjectValue(value[SUBJECT_KEY]);
  const here = own ?? subject;
  for (const step of stepsOf(walk, selectionSet, type)) {
    if (!step.audited && !step.descend) continue;
    const child = value[step.key];
    if (child === null || child === undefined) continue;
    const fieldSubject = path.length === 0 ? (argumentSubject(step.field, walk.variables) ?? here) : here;
    const fieldPath = [...path, step.key];
    const fieldAnchor = step.nonNull ? anchor : fieldPath;
    if (step.audited) {
      entry(walk, fieldSubject).allowed.add(step.coordinate);
      if (!inAudited) {
        const id = fieldPath.join('\u0000');
        if (!walk.releases.has(id)) walk.releases.set(id, { path: fieldPath, coordinate: step.coordinate, anchor: fieldAnchor });
      }
    }
    if (step.descend) walkValue(walk, child, step.type, step.field.selectionSet!, fieldPath, fieldSubject, fieldAnchor, inAudited || step.audited);
  }
}

/** The subject of the data at `path`: the nearest Person on the way down, else the root field's argument. */
function subjectAtPath(walk: Walk, operation: OperationDefinitionNode, data: Record<string, unknown> | null | undefined, path: ReadonlyArray<string | number> | undefined): string | undefined {
  if (!path || path.length === 0) {
    // Refused before execution (reject-operation): the one V-number the operation names, if it names one.
    const named = new Set<string>();
    const root = walk.schema.getRootType(operation.operation);
    if (root) for (const field of collectFields(walk, operation.selectionSet, root)) {
      const subject = argumentSubject(field, walk.variables);
      if (subject) named.add(subject);
    }
    return named.size === 1 ? [...named][0] : undefined;
  }
  let subject: string | undefined;
  const root = walk.schema.getRootType(operation.operation);
  if (root) {
    const rootField = collectFields(walk, operation.selectionSet, root).find((f) => (f.alias?.value ?? f.name.value) === path[0]);
    if (rootField) subject = argumentSubject(rootField, walk.variables);
  }
  let node: unknown = data;
  for (let i = 0; i < path.length - 1 && node !== null && typeof node === 'object'; i++) {
    node = (node as Record<string | number, unknown>)[path[i]!];
    if (node !== null && typeof node === 'object' && !Array.isArray(node)) {
      subject = subjectValue((node as Record<string, unknown>)[SUBJECT_KEY]) ?? subject;
    }
  }
  return subject;
}

/** The object types a value of `type` may have at run time. */
function objectTypes(walk: Walk, type: GraphQLCompositeType): readonly GraphQLObjectType[] {
  if (isObjectType(type)) return [type];
  return isAbstractType(type) ? walk.schema.getPossibleTypes(type) : [];
}

/** The outermost audited coordinates selected in `selectionSet` (any runtime type), into `into`. */
function auditedIn(walk: Walk, selectionSet: SelectionSetNode, type: GraphQLCompositeType, into: Set<string>, depth = 0): void {
  if (depth > 32) return;
  for (const runtime of objectTypes(walk, type)) {
    const fields = runtime.getFields();
    for (const field of collectFields(walk, selectionSet, runtime)) {
      const definition = fields[field.name.value];
      if (!definition || field.name.value.startsWith('__')) continue;
      const coordinate = `${runtime.name}.${field.name.value}`;
      // The outermost audited field stands for what it contains.
      if (isAuditedClass(walk.policy.document, walk.policy.classOf(coordinate))) into.add(coordinate);
      else if (field.selectionSet) auditedIn(walk, field.selectionSet, getNamedType(definition.type) as GraphQLCompositeType, into, depth + 1);
    }
  }
}

/**
 * Audited coordinates the client asked for beneath the field at `path` (response keys,
 * list indices skipped), found in the operation: what a denial of a non-audited parent
 * (Query.person for a privacy officer) kept from being read.
 */
function auditedBeneath(walk: Walk, operation: OperationDefinitionNode, path: ReadonlyArray<string | number>): Set<string> {
  const found = new Set<string>();
  const root = walk.schema.getRootType(operation.operation);
  if (!root) return found;
  let level: Array<{ selectionSet: SelectionSetNode; type: GraphQLCompositeType }> = [{ selectionSet: operation.selectionSet, type: root }];
  for (const segment of path) {
    if (typeof segment === 'number') continue;
    const next: typeof level = [];
    for (const { selectionSet, type } of level) {
      for (const runtime of objectTypes(walk, type)) {
        for (const field of collectFields(walk, selectionSet, runtime)) {
          const definition = runtime.getFields()[field.name.value];
          if ((field.alias?.value ?? field.name.value) !== segment || !definition || !field.selectionSet) continue;
          next.push({ selectionSet: field.selectionSet, type: getNamedType(definition.type) as GraphQLCompositeType });
        }
      }
    }
    level = next;
  }
  for (const { selectionSet, type } of level) auditedIn(walk, selectionSet, type, found);
  return found;
}

/**
 * Finds what one request did with audited data, from its result (before the injected
 * subject keys are removed) and its errors: every audited field that came back non-null
 * is a release for the nearest Person's V-number (else the root field's `vNumber`
 * argument, else an unknown subject); every FORBIDDEN error on an audited field, the
 * gateway's own and the subgraphs', is a denial for the subject at its path; a FORBIDDEN
 * non-audited field is a denial of the audited fields asked for beneath it (by the rule
 * that denied it). Returns one
 * record per subject (coordinates sorted) and the releases to withhold if the records
 * cannot be written.
 */
export function findAccesses(
  scope: OperationScope,
  operation: OperationDefinitionNode,
  data: Record<string, unknown> | null | undefined,
  errors: readonly ResultError[],
  policy: CompiledPolicy,
): AccessFindings {
  const walk: Walk = { ...scope, policy, bySubject: new Map(), releases: new Map(), fieldsOf: cachedFieldCollector(scope), audited: new Map(), holdsAudited: new Map(), steps: new Map() };
  const root = scope.schema.getRootType(operation.operation);
  if (data && root) walkObject(walk, data, root, operation.selectionSet, [], undefined, [], false);
  for (const error of errors) {
    const extensions = error.extensions;
    if (extensions?.code !== 'FORBIDDEN') continue;
    const field = extensions.field;
    if (typeof field !== 'string' || !COORDINATE.test(field)) continue;
    const className = typeof extensions.class === 'string' ? extensions.class : policy.classOf(field);
    const rule = typeof extensions.rule === 'string' ? extensions.rule : DEFAULT_DENY;
    // An audited field stands for itself; a non-audited one (Query.person) for the audited fields asked beneath it.
    const denied = isAuditedClass(policy.document, className)
      ? new Set([field])
      : error.path && error.path.length > 0
        ? auditedBeneath(walk, operation, error.path)
        : new Set<string>();
    if (denied.size === 0) continue;
    const accumulator = entry(walk, subjectAtPath(walk, operation, data, error.path));
    for (const coordinate of denied) accumulator.denied.set(`${coordinate}\u0000${rule}`, { field: coordinate, rule });
  }
  const records: SubjectAccess[] = [];
  for (const [vNumber, accumulator] of walk.bySubject) {
    if (accumulator.allowed.size === 0 && accumulator.denied.size === 0) continue;
    records.push({
      vNumber,
      fieldsAllowed: [...accumulator.allowed].sort(),
      fieldsDenied: [...accumulator.denied.values()].sort((a, b) => a.field.localeCompare(b.field) || a.rule.localeCompare(b.rule)),
    });
  }
  return { records, releases: [...walk.releases.values()] };
}
