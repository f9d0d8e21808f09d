import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { fromRoot } from '../../paths';
import type { CompiledPolicy } from '../compiled';
import { describeSchemaError } from '../load';
import { audienceForRole } from './explain';
import { LookupError, ToolInputError, type LocatedProblem } from './problems';
import type { SupergraphInfo } from './supergraph';
import { yamlLocator, type YamlPosition } from './yaml-locator';

/** One expectation of the privacy officers (see schema/policy-tests.schema.json). */
export interface PolicyTestCase {
  name?: string;
  role?: string;
  audience?: string;
  bigRegistration?: boolean;
  field: string;
  purpose?: string;
  organisation?: string;
  consent?: 'escort' | 'none';
  expect: 'allow' | 'deny' | 'conditional';
}

/** A cases file, read and schema-valid, with the position of each case. */
export interface CasesFile {
  file: string;
  cases: PolicyTestCase[];
  /** Position of case `index` (or of one of its keys). */
  locate(index: number, key?: string): YamlPosition;
}

/** The outcome of one case. */
export interface CaseOutcome {
  testCase: PolicyTestCase;
  index: number;
  /** The decision the policy makes, or undefined when the case could not be decided. */
  actual?: 'allow' | 'deny' | 'conditional';
  rule?: string;
  /** Why the case could not be decided (unknown role, field, purpose, audience). */
  error?: { key: string; message: string };
  passed: boolean;
}

let validator: ReturnType<Ajv['compile']> | undefined;

function casesValidator(): ReturnType<Ajv['compile']> {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
    validator = ajv.compile(JSON.parse(readFileSync(fromRoot('schema', 'policy-tests.schema.json'), 'utf8')));
  }
  return validator;
}


/**
 * Reads an expectation cases file and validates it against schema/policy-tests.schema.json;
 * throws ToolInputError with located problems when it is not usable.
 */
export function readCases(path: string, shownAs: string): CasesFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ToolInputError([{ file: shownAs, line: 0, column: 0, message: `cannot read the cases file (${(error as NodeJS.ErrnoException).code ?? 'error'})` }]);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ToolInputError(
      doc.errors.map((error) => {
        const pos = lineCounter.linePos(error.pos[0]);
        return { file: shownAs, line: pos.line, column: pos.col, message: error.message.split('\n')[0]! };
      }),
    );
  }
  const locator = yamlLocator(text);
  const value: unknown = doc.toJS();
  const validate = casesValidator();
  if (!validate(value)) {
    const seen = new Set<string>();
    const problems: LocatedProblem[] = [];
    for (const error of validate.errors ?? []) {
      // oneOf reports its branches' failures too; the oneOf message says it all.
      if (error.schemaPath.includes('/oneOf/')) continue;
      const path = error.instancePath.split('/').slice(1).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
      const problem = { file: shownAs, ...locator.value(path), message: describeSchemaError(error, 'the file', { oneOf: 'a case names either "role" or "audience"' }) };
      const key = `${problem.line}:${problem.column}:${problem.message}`;
      if (!seen.has(key)) problems.push(problem);
      seen.add(key);
    }
    throw new ToolInputError(problems);
  }
  return {
    file: shownAs,
    cases: (value as { cases: PolicyTestCase[] }).cases,
    locate: (index, key) => locator.value(key ? ['cases', index, key] : ['cases', index]),
  };
}

/** Decides one case with the policy. */
export function runCase(policy: CompiledPolicy, supergraph: SupergraphInfo, testCase: PolicyTestCase, index: number): CaseOutcome {
  const fail = (key: string, message: string): CaseOutcome => ({ testCase, index, error: { key, message }, passed: false });
  let audience: string | null;
  if (testCase.role !== undefined) {
    try {
      audience = audienceForRole(policy, testCase.role, testCase.bigRegistration ?? true).audience;
    } catch (error) {
      if (error instanceof LookupError) return fail('role', error.message);
      throw error;
    }
  } else {
    audience = testCase.audience!;
    if (!(audience in policy.document.audiences)) return fail('audience', `unknown audience "${audience}"`);
  }
  if (!supergraph.fields.has(testCase.field)) return fail('field', `unknown field "${testCase.field}" in ${supergraph.file}`);
  if (testCase.purpose !== undefined && !policy.knowsPurpose(testCase.purpose)) return fail('purpose', `unknown purpose "${testCase.purpose}"`);
  const decision = policy.decide({ audience, purpose: testCase.purpose, organisation: testCase.organisation ?? '' }, testCase.field);
  let actual: CaseOutcome['actual'];
  let rule = decision.rule;
  if (decision.effect === 'conditional' && testCase.consent !== undefined) {
    const outcome = policy.resolve(decision, { escortConsent: testCase.consent === 'escort' });
    actual = outcome.allowed ? 'allow' : 'deny';
    rule = outcome.rule;
  } else {
    actual = decision.effect;
  }
  return { testCase, index, actual, rule, passed: actual === testCase.expect };
}

/** The case as a short label: its name, or its number. */
export function caseLabel(outcome: CaseOutcome): string {
  return outcome.testCase.name ? `case "${outcome.testCase.name}"` : `case ${outcome.index + 1}`;
}

/** The request of a case in words: `escort-nurse, Person.medicalDossier, purpose departure, consent none`. */
export function caseRequest(testCase: PolicyTestCase): string {
  return [
    testCase.role !== undefined ? `role ${testCase.role}${testCase.bigRegistration === false ? ' without BIG' : ''}` : `audience ${testCase.audience}`,
    testCase.field,
    testCase.purpose ? `purpose ${testCase.purpose}` : 'no purpose',
    ...(testCase.organisation ? [`organisation ${testCase.organisation}`] : []),
    ...(testCase.consent ? [`consent ${testCase.consent}`] : []),
  ].join(', ');
}

/**
 * `npm run policy -- test`: decides every case and reports each mismatch (and each case
 * that names something unknown) as `file:line:col: ...`; returns the lines to print and
 * whether every case was met.
 */
export function runCases(policy: CompiledPolicy, supergraph: SupergraphInfo, file: CasesFile): { lines: string[]; ok: boolean } {
  const outcomes = file.cases.map((testCase, index) => runCase(policy, supergraph, testCase, index));
  const lines: string[] = [];
  for (const outcome of outcomes) {
    if (outcome.passed) continue;
    if (outcome.error) {
      const at = file.locate(outcome.index, outcome.error.key);
      lines.push(`${file.file}:${at.line}:${at.column}: error: ${caseLabel(outcome)}: ${outcome.error.message}`);
    } else {
      const at = file.locate(outcome.index);
      lines.push(
        `${file.file}:${at.line}:${at.column}: mismatch: ${caseLabel(outcome)} (${caseRequest(outcome.testCase)}): expected ${outcome.testCase.expect}, got ${outcome.actual} (rule ${outcome.rule})`,
      );
    }
  }
  const failed = outcomes.filter((o) => !o.passed).length;
  const total = `${outcomes.length} ${outcomes.length === 1 ? 'case' : 'cases'}`;
  lines.push(failed === 0 ? `${total}, all as expected (policy ${policy.version}, hash ${policy.hash})` : `${total}, ${failed} not as expected`);
  return { lines, ok: failed === 0 };
}
