import { Supergraph } from '@apollo/federation-internals';
import {
  getNamedType,
  isAbstractType,
  isLeafType,
  isNonNullType,
  isObjectType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import { readFileSync } from 'node:fs';
import type { CompiledPolicy } from '../../lib/policy/compiled';
import { defaultPolicyFile, defaultSupergraphFile, loadPolicyForSupergraph } from '../../lib/policy/source';
import { ROLE_DEFAULTS } from '../../lib/identity/dev-keys';
import type { GraphQLResponse } from '../support/stack';

/**
 * Shared ground truth for the authorization suites: the checked-in supergraph, the API
 * schema the gateway serves from it, and the policy compiled against it, exactly as the
 * gateway loads them. Expectations are derived from these, never hand-written.
 */

export const SUPERGRAPH_SDL = readFileSync(defaultSupergraphFile(), 'utf8');

/** The policy in force, compiled against the checked-in supergraph. */
export function loadPolicy(): CompiledPolicy {
  return loadPolicyForSupergraph(defaultPolicyFile(), SUPERGRAPH_SDL);
}

/** The client-facing schema of the gateway (the supergraph's API schema). */
export function apiSchema(): GraphQLSchema {
  return Supergraph.build(SUPERGRAPH_SDL).apiSchema().toGraphQLJSSchema();
}

/** One field selected in a generated operation, with the fields selected under it. */
export interface FieldSelection {
  name: string;
  /** `Type.field`. */
  coordinate: string;
  type: GraphQLOutputType;
  /** Undefined for leaves; for composite fields the fields selected under it. */
  children?: FieldSelection[];
}

/**
 * Every field of `type`, to full depth. A field leading back to a type already on the
 * path (DeparturePlan.person, TransportOrder.person) is still selected, so that its own
 * coordinate is covered, but only with `__typename` beneath it.
 */
export function selectAll(schema: GraphQLSchema, type: GraphQLObjectType, onPath: ReadonlySet<string> = new Set([type.name])): FieldSelection[] {
  const selections: FieldSelection[] = [];
  for (const field of Object.values(type.getFields())) {
    const coordinate = `${type.name}.${field.name}`;
    if (field.args.some((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined)) {
      throw new Error(`${coordinate} needs arguments; the generator cannot select it`);
    }
    const named = getNamedType(field.type);
    if (isLeafType(named)) {
      selections.push({ name: field.name, coordinate, type: field.type });
    } else if (isObjectType(named)) {
      const children = onPath.has(named.name) ? [] : selectAll(schema, named, new Set([...onPath, named.name]));
      selections.push({ name: field.name, coordinate, type: field.type, children });
    } else if (isAbstractType(named)) {
      throw new Error(`${coordinate} returns an abstract type; extend the generator`);
    }
  }
  return selections;
}

/** Prints selections as GraphQL (an empty child list becomes `{ __typename }`). */
export function printSelections(selections: readonly FieldSelection[]): string {
  return selections
    .map((s) => (s.children === undefined ? s.name : `${s.name} { ${s.children.length > 0 ? printSelections(s.children) : '__typename'} }`))
    .join(' ');
}

/** Every coordinate in a selection tree. */
export function coordinatesOf(selections: readonly FieldSelection[], into = new Set<string>()): Set<string> {
  for (const s of selections) {
    into.add(s.coordinate);
    if (s.children) coordinatesOf(s.children, into);
  }
  return into;
}

/** Every field coordinate reachable from `Type.field` in the schema (the field itself included). */
export function reachableCoordinates(schema: GraphQLSchema, rootType: string, rootField: string): Set<string> {
  const root = schema.getType(rootType) as GraphQLObjectType;
  const field = root.getFields()[rootField]!;
  const result = new Set<string>([`${rootType}.${rootField}`]);
  const queue: GraphQLObjectType[] = [];
  const seen = new Set<string>();
  const enqueue = (type: GraphQLOutputType) => {
    const named = getNamedType(type);
    if (isObjectType(named) && !seen.has(named.name)) {
      seen.add(named.name);
      queue.push(named);
    }
  };
  enqueue(field.type);
  while (queue.length > 0) {
    const type = queue.shift()!;
    for (const f of Object.values(type.getFields())) {
      result.add(`${type.name}.${f.name}`);
      enqueue(f.type);
    }
  }
  return result;
}

/** One representative role per audience (the first the policy lists), with its dev-token defaults. */
export function representativeRoles(policy: CompiledPolicy): Array<{ audience: string; role: string; purpose: string; organisation: string }> {
  return Object.entries(policy.document.audiences).map(([audience, definition]) => {
    const role = definition.roles[0]!;
    const defaults = ROLE_DEFAULTS[role];
    if (!defaults) throw new Error(`no development token defaults for role ${role}`);
    return { audience, role, purpose: defaults.purpose, organisation: defaults.organisation };
  });
}

/** Every string anywhere in a JSON value (object keys excluded). */
export function stringsIn(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) value.forEach((v) => stringsIn(v, into));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => stringsIn(v, into));
  return into;
}

/**
 * What a dossier holds that must never reach a non-care audience: condition codes and
 * descriptions, medication names, dosages and schedules, the fit-to-travel considerations
 * and handover summaries, collected from a response that contains a medicalDossier.
 */
export function dossierValues(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => dossierValues(v, into));
  else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === 'medicalDossier' && child && typeof child === 'object') {
        const dossier = child as {
          conditions?: Array<{ code?: string; description?: string }>;
          medication?: Array<{ name?: string; dosage?: string; schedule?: string }>;
          fitToTravelAssessment?: { considerations?: string } | null;
          handovers?: Array<{ summary?: string }>;
        };
        for (const c of dossier.conditions ?? []) for (const v of [c.code, c.description]) if (v) into.add(v);
        for (const m of dossier.medication ?? []) for (const v of [m.name, m.dosage, m.schedule]) if (v) into.add(v);
        if (dossier.fitToTravelAssessment?.considerations) into.add(dossier.fitToTravelAssessment.considerations);
        for (const h of dossier.handovers ?? []) if (h.summary) into.add(h.summary);
      } else {
        dossierValues(child, into);
      }
    }
  }
  return into;
}

/**
 * Asserts that nothing of the dossier values appears anywhere in a response: no string
 * equals one, and the raw body does not contain one (also not inside an error message).
 */
export function expectNoDossierValue(response: GraphQLResponse<unknown>, values: ReadonlySet<string>): void {
  expect(values.size).toBeGreaterThan(0);
  const strings = stringsIn(response.body);
  const text = JSON.stringify(response.body);
  const leaked = [...values].filter((v) => strings.includes(v) || text.includes(v));
  // Report how many leaked, never which (the values are special-category data).
  expect(leaked.length).toBe(0);
}

export type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The FORBIDDEN errors of a response as `path → extensions`. */
export function forbiddenByPath(response: GraphQLResponse<unknown>): Map<string, Record<string, unknown>> {
  const result = new Map<string, Record<string, unknown>>();
  for (const error of response.body.errors ?? []) {
    if (error.extensions?.code === 'FORBIDDEN') result.set((error.path ?? []).join('.'), error.extensions);
  }
  return result;
}

/** The value at a response path, or undefined when a step is missing. */
export function at(value: unknown, path: ReadonlyArray<string | number>): unknown {
  let current: unknown = value;
  for (const step of path) {
    if (current === null || current === undefined || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[step];
  }
  return current;
}
