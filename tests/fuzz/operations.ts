import {
  getNamedType,
  getNullableType,
  isEnumType,
  isLeafType,
  isObjectType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { Random as Rng } from '../../lib/demo/random';

/** The demo world's seeded PRNG (mulberry32), under the name the fuzz code uses. */
export { Rng };

/**
 * Random and mutated operations for the gateway fuzz test, built from the API schema: a
 * valid person / departures / transportOrder / accessLog query with a random selection,
 * then mutations (fields added and removed, aliases, fragments, directives, deep nesting,
 * wrong arguments, variables of wrong types, random strings, text damage), or a random
 * token soup. Everything is drawn from a seeded generator, so a case is reproducible from
 * its seed.
 */

/** One selected field in the operation model; printing it gives GraphQL text, valid or not. */
interface Sel {
  field: string;
  alias?: string;
  args?: string;
  directives?: string;
  /** The type the field returns (when known), for fragments and added fields. */
  type?: string;
  children?: Sel[];
  /** Print the children inside an inline fragment with this type condition ('' = none). */
  inline?: string;
  /** Print the children as a spread of this named fragment. */
  named?: { name: string; on: string };
}

export type Base = 'person' | 'departures' | 'transportOrder' | 'accessLog' | 'soup';
export const BASES: readonly Base[] = ['person', 'person', 'departures', 'transportOrder', 'accessLog', 'soup'];

export const MUTATIONS = [
  'addField',
  'addUnknownField',
  'removeField',
  'alias',
  'aliasAsAllowedName',
  'duplicateWithAlias',
  'inlineFragment',
  'namedFragment',
  'directive',
  'deepNesting',
  'wrongArgument',
  'wrongVariableType',
  'wrongVariableValue',
  'missingVariable',
  'extraVariable',
  'operationName',
  'secondOperation',
  'operationType',
  'textDamage',
  'manyAliases',
  'pageSize',
  'introspection',
] as const;
export type Mutation = (typeof MUTATIONS)[number];

export interface World {
  schema: GraphQLSchema;
  /** V-numbers that exist (the featured persons first). */
  vNumbers: readonly string[];
  transportOrderIds: readonly string[];
  window: { from: string; to: string };
}

export interface FuzzRequest {
  query: string;
  variables?: unknown;
  operationName?: unknown;
  /** What was done, for the failure report. */
  label: string;
}

const STRANGE_STRINGS = [
  '',
  ' ',
  '2044001001 ',
  '20440010011',
  "2044001001' OR '1'='1",
  '2044001001; DROP TABLE dtv.person; --',
  '\u0000',
  '\u202e2044001001',
  '٢٠٤٤٠٠١٠٠١',
  '${jndi:ldap://127.0.0.1/x}',
  '{"$gt": ""}',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  '%s%s%s%n',
  '🙂'.repeat(50),
  'x'.repeat(5000),
];

function randomString(rng: Rng): string {
  if (rng.chance(0.5)) return rng.pick(STRANGE_STRINGS);
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-:{}()[]$@!"\\ \n\t.,\u00e9\u4e2d\ud83d\ude00';
  return Array.from({ length: rng.int(0, 40) }, () => alphabet[rng.int(0, alphabet.length - 1)]).join('');
}

function randomValue(rng: Rng, depth = 0): unknown {
  switch (rng.int(0, depth > 2 ? 6 : 8)) {
    case 0:
      return null;
    case 1:
      return rng.int(-(2 ** 31), 2 ** 31);
    case 2:
      return rng.pick([0, -1, 1.5, 2044001001, 1e308, -0, 2 ** 53 + 1]);
    case 3:
      return rng.chance(0.5);
    case 4:
    case 5:
    case 6:
      return randomString(rng);
    case 7:
      return Array.from({ length: rng.int(0, 4) }, () => randomValue(rng, depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: rng.int(0, 4) }, () => [randomString(rng).slice(0, 12) || 'k', randomValue(rng, depth + 1)]));
  }
}

/** A random selection of the fields of `type`, `depth` levels deep at most. */
function sample(schema: GraphQLSchema, type: GraphQLObjectType, depth: number, rng: Rng, onPath: ReadonlySet<string> = new Set()): Sel[] {
  const fields = Object.values(type.getFields()).filter((f) => !f.args.some((a) => getNullableType(a.type) !== a.type && a.defaultValue === undefined));
  const chosen: Sel[] = [];
  for (const field of fields) {
    if (!rng.chance(depth > 1 ? 0.35 : 0.5)) continue;
    const sel = selectionFor(schema, field, depth, rng, onPath);
    if (sel) chosen.push(sel);
  }
  if (chosen.length === 0) chosen.push({ field: rng.chance(0.5) ? '__typename' : leafOf(type) });
  return chosen;
}

function leafOf(type: GraphQLObjectType): string {
  return Object.values(type.getFields()).find((f) => isLeafType(getNamedType(f.type)))?.name ?? '__typename';
}

function selectionFor(schema: GraphQLSchema, field: GraphQLField<unknown, unknown>, depth: number, rng: Rng, onPath: ReadonlySet<string>): Sel | undefined {
  const named = getNamedType(field.type);
  if (isLeafType(named)) return { field: field.name };
  if (!isObjectType(named)) return undefined;
  if (depth <= 1 || onPath.has(named.name)) return { field: field.name, type: named.name, children: [{ field: '__typename' }] };
  return { field: field.name, type: named.name, children: sample(schema, named, depth - 1, rng, new Set([...onPath, named.name])) };
}

function printSel(sel: Sel, fragments: string[]): string {
  const head = `${sel.alias ? `${sel.alias}: ` : ''}${sel.field}${sel.args ? `(${sel.args})` : ''}${sel.directives ?? ''}`;
  if (!sel.children) return head;
  let body = sel.children.map((c) => printSel(c, fragments)).join(' ');
  if (sel.named) {
    fragments.push(`fragment ${sel.named.name} on ${sel.named.on} { ${body} }`);
    body = `...${sel.named.name}`;
  } else if (sel.inline !== undefined) {
    body = `... ${sel.inline ? `on ${sel.inline} ` : ''}{ ${body} }`;
  }
  return `${head} { ${body} }`;
}

/** Every selection in the tree, with its parent's children array. */
function allSelections(roots: Sel[]): Array<{ sel: Sel; siblings: Sel[] }> {
  const out: Array<{ sel: Sel; siblings: Sel[] }> = [];
  const visit = (list: Sel[]) => {
    for (const sel of list) {
      out.push({ sel, siblings: list });
      if (sel.children) visit(sel.children);
    }
  };
  visit(roots);
  return out;
}

/** `transportOrders { person { transportOrders { … } } } }` (or from a TransportOrder, `person { … }`), `length` levels. */
function deepChain(from: 'Person' | 'TransportOrder', length: number): Sel[] {
  const steps: Array<{ field: string; type: string }> = [];
  let on = from;
  for (let i = 0; i < length; i++) {
    steps.push(on === 'Person' ? { field: 'transportOrders', type: 'TransportOrder' } : { field: 'person', type: 'Person' });
    on = on === 'Person' ? 'TransportOrder' : 'Person';
  }
  let inner: Sel[] = [{ field: on === 'Person' ? 'vNumber' : 'id' }];
  for (const step of steps.reverse()) inner = [{ ...step, children: inner }];
  return inner;
}

/** Builds one request: a base operation with `mutations` applied, everything drawn from `seed`. */
export function buildRequest(world: World, base: Base, seed: number, mutations: readonly Mutation[]): FuzzRequest {
  const rng = new Rng(seed);
  const { schema } = world;
  const query = schema.getQueryType()!;
  const label = `${base} seed=${seed} [${mutations.join(', ')}]`;

  if (base === 'soup') {
    const vocabulary = ['{', '}', '(', ')', ':', '$v', '...', 'on', 'Person', 'query', 'mutation', 'fragment', 'person', 'vNumber', 'medicalDossier', 'conditions', 'code', 'name', 'given',
      'departures', 'nodes', 'first', '"2044001001"', '2044001001', '@skip', '@include', 'if', 'true', '[', ']', '=', '!', 'String', '#', '"""', '\\u0000', 'transportOrders', 'escortConsent', '__schema'];
    const text = Array.from({ length: rng.int(1, 80) }, () => rng.pick(vocabulary)).join(rng.chance(0.5) ? ' ' : '');
    return { query: text, variables: rng.chance(0.5) ? { v: rng.pick(world.vNumbers) } : randomValue(rng), label };
  }

  const vNumber = rng.chance(0.8) ? world.vNumbers[rng.int(0, Math.min(4, world.vNumbers.length - 1))]! : rng.pick(world.vNumbers);
  let root: Sel;
  let variableDefinitions: string;
  let variables: Record<string, unknown>;
  const depth = rng.int(1, 5);
  if (base === 'person') {
    root = { field: 'person', args: 'vNumber: $v', type: 'Person', children: sample(schema, schema.getType('Person') as GraphQLObjectType, depth, rng, new Set(['Person'])) };
    variableDefinitions = '$v: String!';
    variables = { v: vNumber };
  } else if (base === 'departures') {
    const connection = schema.getType('DepartureConnection') as GraphQLObjectType;
    root = { field: 'departures', args: 'from: $from, to: $to, first: $first', type: 'DepartureConnection', children: sample(schema, connection, depth + 1, rng) };
    variableDefinitions = '$from: DateTime!, $to: DateTime!, $first: Int';
    variables = { ...world.window, first: rng.int(1, 100) };
  } else if (base === 'transportOrder') {
    root = { field: 'transportOrder', args: 'id: $id', type: 'TransportOrder', children: sample(schema, schema.getType('TransportOrder') as GraphQLObjectType, depth, rng, new Set(['TransportOrder'])) };
    variableDefinitions = '$id: ID!';
    variables = { id: rng.chance(0.9) ? rng.pick(world.transportOrderIds) : randomString(rng) };
  } else {
    root = { field: 'accessLog', args: 'filter: { vNumber: $v }, first: $first', type: 'AccessRecordConnection', children: sample(schema, schema.getType('AccessRecordConnection') as GraphQLObjectType, depth + 1, rng) };
    variableDefinitions = '$v: String, $first: Int';
    variables = { v: vNumber, first: rng.int(1, 100) };
  }

  const roots: Sel[] = [root];
  let operationType = 'query';
  let operationName: string | undefined;
  let sentOperationName: unknown;
  let extraOperation = '';
  let textDamage = false;
  const composite = () => allSelections(roots).filter((s) => s.sel.children);
  const any = () => rng.pick(allSelections(roots));

  for (const mutation of mutations) {
    switch (mutation) {
      case 'addField': {
        const target = rng.pick(composite()).sel;
        const type = target.type ? schema.getType(target.type) : undefined;
        if (isObjectType(type)) {
          const field = rng.pick(Object.values(type.getFields()).filter((f) => f.args.length === 0));
          const sel = selectionFor(schema, field, rng.int(1, 3), rng, new Set());
          if (sel) target.children!.push(sel);
        }
        break;
      }
      case 'addUnknownField':
        rng.pick(composite()).sel.children!.push({ field: rng.pick(['nope', 'password', 'medicalDossierX', '__proto__', 'constructor', 'vnumber', '_entities', '_service']) });
        break;
      case 'removeField': {
        const { sel, siblings } = any();
        if (sel !== root) siblings.splice(siblings.indexOf(sel), 1);
        else if (root.children!.length > 0) root.children!.splice(rng.int(0, root.children!.length - 1), 1);
        break;
      }
      case 'alias':
        any().sel.alias = rng.pick(['a', 'b', 'x1', 'person', 'data', 'errors', '__typename', '__proto__', 'constructor', 'hasOwnProperty', 'toString', 'z'.repeat(rng.int(1, 300))]);
        break;
      case 'aliasAsAllowedName': {
        // An evasion attempt: a denied field under the name of an allowed one.
        const { sel } = any();
        sel.alias = rng.pick(['vNumber', 'name', 'healthNotice', 'nationality', 'status', 'code', 'id']);
        break;
      }
      case 'duplicateWithAlias': {
        const { sel, siblings } = any();
        siblings.push({ ...sel, alias: `dup${rng.int(0, 99)}`, children: sel.children ? structuredClone(sel.children) : undefined });
        break;
      }
      case 'inlineFragment': {
        const target = rng.pick(composite()).sel;
        target.inline = rng.pick([target.type ?? '', '', 'Person', 'TransportOrder', 'Query', 'NoSuchType']);
        break;
      }
      case 'namedFragment': {
        const target = rng.pick(composite()).sel;
        target.named = { name: `F${rng.int(0, 9)}`, on: rng.chance(0.8) ? target.type ?? 'Person' : rng.pick(['Person', 'Query', 'MedicalDossier', 'NoSuchType']) };
        break;
      }
      case 'directive': {
        const { sel } = any();
        sel.directives = rng.pick([' @skip(if: true)', ' @skip(if: false)', ' @include(if: false)', ' @include(if: true)', ' @include(if: $flag)', ' @skip(if: $undefinedFlag)', ' @skip', ' @include(if: "yes")', ' @deprecated', ' @nope', ' @skip(if: true) @skip(if: false)']);
        if (sel.directives.includes('$flag')) {
          variableDefinitions += ', $flag: Boolean!';
          variables.flag = rng.pick<unknown>([true, false, 'true', null, 1]);
        }
        break;
      }
      case 'deepNesting': {
        const targets = composite().filter((s) => s.sel.type === 'Person' || s.sel.type === 'TransportOrder');
        if (targets.length > 0) {
          const target = rng.pick(targets).sel;
          target.children!.push(...deepChain(target.type as 'Person' | 'TransportOrder', rng.int(1, 18)));
        }
        break;
      }
      case 'wrongArgument':
        root.args = rng.pick([
          'vNumber: 2044001001',
          'vNumber: null',
          `vNumber: ${JSON.stringify(randomString(rng))}`,
          'vNumber: $undefinedVariable',
          `${root.args}, extra: 1`,
          '',
          'id: ["a", "b"]',
          'from: "yesterday", to: "tomorrow"',
          `from: "${world.window.from}", to: "${world.window.to}", first: ${rng.pick([0, -1, 101, 2147483647, 99999999999])}`,
          'filter: { vNumber: 2044001001 }',
          'filter: "all"',
        ]);
        break;
      case 'wrongVariableType':
        variableDefinitions = variableDefinitions.replace(/(\$\w+): ([\w!\[\]]+)/, (_m, name: string) => `${name}: ${rng.pick(['Int', 'Int!', '[String!]!', 'Boolean', 'Person', 'AccessLogFilter', 'NoSuchType', 'String', 'DateTime'])}`);
        break;
      case 'wrongVariableValue': {
        const keys = Object.keys(variables);
        if (keys.length > 0) variables[rng.pick(keys)] = randomValue(rng);
        break;
      }
      case 'missingVariable': {
        const keys = Object.keys(variables);
        if (keys.length > 0) delete variables[rng.pick(keys)];
        break;
      }
      case 'extraVariable':
        variables[rng.pick(['extra', '__proto__', 'constructor', 'v2'])] = randomValue(rng);
        break;
      case 'operationName':
        operationName = rng.pick(['Fuzz', 'Q2044001001', 'medical_care', 'x'.repeat(200)]);
        sentOperationName = rng.pick<unknown>([operationName, operationName, 'Other', '', null, 42, ['Fuzz']]);
        break;
      case 'secondOperation':
        operationName = operationName ?? 'Fuzz';
        extraOperation = rng.pick([' query Other { __typename }', ` query Other { person(vNumber: "${vNumber}") { medicalDossier { conditions { code } } } }`, ' mutation M { recordRestraintDecision(input: {}) { id } }', ' query Fuzz { __typename }']);
        if (rng.chance(0.5)) sentOperationName = rng.pick(['Other', operationName, 'M']);
        break;
      case 'operationType':
        operationType = rng.pick(['mutation', 'subscription', 'query']);
        break;
      case 'textDamage':
        textDamage = true;
        break;
      case 'manyAliases':
        for (let i = 0, n = rng.int(20, 45); i < n; i++) roots.push({ ...structuredClone(root), alias: `m${i}` });
        break;
      case 'pageSize':
        if (base === 'departures' || base === 'accessLog') variables.first = rng.pick<unknown>([0, -1, 100, 101, 1000, 2 ** 31, '50', 1.5, null]);
        break;
      case 'introspection':
        roots.push(rng.pick<Sel>([{ field: '__typename' }, { field: '__schema', children: [{ field: 'types', children: [{ field: 'name' }] }] }, { field: '__type', args: 'name: "MedicalDossier"', children: [{ field: 'fields', children: [{ field: 'name' }] }] }]));
        break;
    }
  }

  const fragments: string[] = [];
  const selection = roots.map((r) => printSel(r, fragments)).join(' ');
  const header = operationName || variableDefinitions ? `${operationType} ${operationName ?? ''}${variableDefinitions ? `(${variableDefinitions})` : ''}` : operationType;
  let text = `${header} { ${selection} }${extraOperation} ${fragments.join(' ')}`.trim();
  if (textDamage) {
    for (let i = 0, n = rng.int(1, 4); i < n; i++) {
      const at = rng.int(0, text.length);
      const kind = rng.int(0, 3);
      if (kind === 0) text = text.slice(0, at) + text.slice(at + rng.int(1, 5));
      else if (kind === 1) text = text.slice(0, at) + rng.pick(['{', '}', '(', ')', '"', '$', '...', '@', '#', '\\', '\u0000', ' medicalDossier ']) + text.slice(at);
      else if (kind === 2) text = text.slice(0, at);
      else text = text + text.slice(at);
    }
  }
  // Now and then variables that are not an object at all.
  const sentVariables: unknown = rng.chance(0.03) ? randomValue(rng) : variables;
  return { query: text, variables: sentVariables, operationName: sentOperationName ?? operationName, label };
}

/** True for scalar leaf types whose values are data (strings, IDs, date-times), not enums or numbers. */
export function isDataLeaf(type: Parameters<typeof getNamedType>[0]): boolean {
  const named = getNamedType(type);
  return isLeafType(named) && !isEnumType(named) && !['Boolean', 'Int', 'Float'].includes(named.name);
}

