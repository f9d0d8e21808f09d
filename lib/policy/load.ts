import Ajv, { type ErrorObject } from 'ajv';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { LineCounter, isMap, isSeq, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import { fromRoot } from '../paths';
import type { PolicyDocument } from './model';

/** One problem found in a policy, with the line it is on (1-based; 0 when not locatable). */
export interface PolicyProblem {
  line: number;
  column: number;
  message: string;
  /** For a problem in the schema rather than the policy: the field (`Type.field`) at fault. */
  field?: string;
}

/** Thrown when a policy cannot be used; `problems` names every line at fault. */
export class PolicyError extends Error {
  constructor(readonly source: string, readonly problems: PolicyProblem[]) {
    super(`invalid policy ${source}:\n${problems.map((p) => `  ${formatLocation(source, p)} ${p.message}`).join('\n')}`);
    this.name = 'PolicyError';
  }
}

function formatLocation(source: string, problem: PolicyProblem): string {
  return problem.line > 0 ? `${source}:${problem.line}:${problem.column}:` : `${source}:`;
}

/** A parsed, schema-valid policy together with what is needed to point at its lines. */
export interface ParsedPolicy {
  document: PolicyDocument;
  /** sha256 of the file's bytes, shortened: the policy version recorded with every decision. */
  hash: string;
  source: string;
  /** Line and column of the node at a JSON path such as ['rules', 2, 'classes', 0]. */
  locate(path: ReadonlyArray<string | number>): { line: number; column: number };
}

let validator: ReturnType<Ajv['compile']> | undefined;

/** The compiled JSON Schema validator for schema/policy.schema.json. */
function policyValidator(): ReturnType<Ajv['compile']> {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, useDefaults: false });
    validator = ajv.compile(JSON.parse(readFileSync(fromRoot('schema', 'policy.schema.json'), 'utf8')));
  }
  return validator;
}

function nodeAt(doc: Document, path: ReadonlyArray<string | number>): YamlNode | undefined {
  let node: unknown = doc.contents;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => (item.key as { value?: unknown } | null)?.value === key);
      if (!pair) return node as YamlNode;
      node = pair.value ?? pair.key;
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key] ?? node;
    } else {
      break;
    }
  }
  return node as YamlNode | undefined;
}

/**
 * A JSON Schema violation in words a privacy officer can act on: the dotted path and what
 * is wrong. `whole` names the document when the path is empty; `special` words keywords
 * whose default message would be cryptic for that document (e.g. an anyOf of required keys).
 */
export function describeSchemaError(error: ErrorObject, whole = 'the policy', special: Partial<Record<string, string>> = {}): string {
  const where = error.instancePath ? error.instancePath.slice(1).replace(/\//g, '.') : whole;
  const specific = special[error.keyword];
  if (specific) return `${where}: ${specific}`;
  switch (error.keyword) {
    case 'additionalProperties':
      return `${where}: unknown key "${String(error.params.additionalProperty)}"`;
    case 'required':
      return `${where}: missing "${String(error.params.missingProperty)}"`;
    case 'enum':
      return `${where}: must be one of ${(error.params.allowedValues as unknown[]).join(', ')}`;
    case 'propertyNames':
      return `${where}: invalid name "${String(error.params.propertyName)}" (lower-case letters, digits and dashes)`;
    default:
      return `${where}: ${error.message ?? 'is invalid'}`;
  }
}

/**
 * Parses policy YAML and validates it against the published JSON Schema. Throws
 * PolicyError naming the line and the problem for YAML syntax errors and schema
 * violations. Semantic checks against the supergraph are done by `checkPolicy`.
 */
export function parsePolicy(text: string, source = 'policy.yaml'): ParsedPolicy {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const locateOffset = (offset: number) => {
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  if (doc.errors.length > 0) {
    throw new PolicyError(
      source,
      doc.errors.map((e) => ({ ...locateOffset(e.pos[0]), message: e.message.split('\n')[0]! })),
    );
  }
  const locate = (path: ReadonlyArray<string | number>) => {
    const node = nodeAt(doc, path);
    return node?.range ? locateOffset(node.range[0]) : { line: 0, column: 0 };
  };
  const locateKey = (path: ReadonlyArray<string | number>, key: string) => {
    const map = nodeAt(doc, path);
    const pair = isMap(map) ? map.items.find((item) => (item.key as { value?: unknown } | null)?.value === key) : undefined;
    const range = (pair?.key as YamlNode | null | undefined)?.range;
    return range ? locateOffset(range[0]) : undefined;
  };
  const value: unknown = doc.toJS();
  const validate = policyValidator();
  if (!validate(value)) {
    const problems = (validate.errors ?? [])
      .filter((e) => e.keyword !== 'if')
      .map((e) => {
        const path = e.instancePath.split('/').slice(1).map((seg) => (/^\d+$/.test(seg) ? Number(seg) : seg.replace(/~1/g, '/').replace(/~0/g, '~')));
        // An unknown key is on its own line, not on the first line of the map holding it.
        const where = e.keyword === 'additionalProperties' ? locateKey(path, String(e.params.additionalProperty)) : undefined;
        return { ...(where ?? locate(path)), message: describeSchemaError(e, 'the policy', { anyOf: 'a rule needs "classes" or "fields"' }) };
      });
    throw new PolicyError(source, dedupe(problems));
  }
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  return { document: value as PolicyDocument, hash, source, locate };
}

function dedupe(problems: PolicyProblem[]): PolicyProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.line}:${p.column}:${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Reads and parses a policy file (see parsePolicy). */
export function readPolicyFile(path: string): ParsedPolicy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new PolicyError(path, [{ line: 0, column: 0, message: `cannot read the policy file (${(error as NodeJS.ErrnoException).code ?? 'error'})` }]);
  }
  return parsePolicy(text, path);
}
