import { checkPolicy } from '../check';
import { readPolicy } from './policy-file';
import { sortProblems, ToolInputError, type LocatedProblem } from './problems';
import { findNeverApplying } from './reachability';
import { readSupergraph } from './supergraph';
import { yamlLocator } from './yaml-locator';

/** Files to check, as read (`path`) and as shown in messages (`shownAs`). */
export interface CheckInput {
  policy: { path: string; shownAs: string };
  supergraph: { path: string; shownAs: string };
}

/** The outcome of `policy check`: every problem, or a one-line summary when there are none. */
export interface CheckResult {
  problems: LocatedProblem[];
  summary: string;
}

/**
 * `npm run policy -- check`: validates the policy against its JSON Schema and against the
 * supergraph (unknown types, fields, classes, audiences and purposes; fields without a
 * classification or with a class the policy lacks), and finds rules and classes that can
 * never take effect. Policy problems point at the policy line, schema problems at the
 * supergraph line.
 */
export function runCheck(input: CheckInput): CheckResult {
  const files = [input.policy.shownAs, input.supergraph.shownAs];
  let problems: LocatedProblem[] = [];
  const attempt = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof ToolInputError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };
  const policy = attempt(() => readPolicy(input.policy.path, input.policy.shownAs));
  const graph = attempt(() => readSupergraph(input.supergraph.path, input.supergraph.shownAs));
  if (!policy || !graph) return failed(sortProblems(problems, files));
  const { parsed, text } = policy;

  for (const problem of checkPolicy(parsed, graph.fields)) {
    if (problem.field) {
      const at = graph.locations.get(problem.field) ?? { line: 0, column: 0 };
      problems.push({ file: graph.file, ...at, message: problem.message });
    } else {
      problems.push({ file: parsed.source, line: problem.line, column: problem.column, message: problem.message });
    }
  }
  for (const problem of findNeverApplying(parsed.document, graph.fields, yamlLocator(text))) {
    problems.push({ file: parsed.source, ...problem });
  }
  problems = sortProblems(problems, files);
  if (problems.length > 0) return failed(problems);
  const classified = [...graph.fields.values()].filter((f) => f.className).length;
  const { document } = parsed;
  return {
    problems,
    summary:
      `${parsed.source}: valid against ${graph.file} (policy ${document.version}, hash ${parsed.hash}; ` +
      `${count(Object.keys(document.audiences).length, 'audience')}, ${count(Object.keys(document.classes).length, 'class', 'classes')}, ` +
      `${count(document.rules.length, 'rule')}, ${count(classified, 'classified field')})`,
  };
}

function failed(problems: LocatedProblem[]): CheckResult {
  return { problems, summary: `check failed: ${count(problems.length, 'error')}` };
}

/** "1 rule", "9 rules". */
export function count(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : pluralForm}`;
}
