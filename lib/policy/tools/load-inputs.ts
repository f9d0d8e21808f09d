import { checkPolicy } from '../check';
import { CompiledPolicy } from '../compiled';
import { readPolicy } from './policy-file';
import { ToolInputError, sortProblems, type LocatedProblem } from './problems';
import type { SupergraphInfo } from './supergraph';

/**
 * Reads a policy and compiles it against a supergraph for the commands that decide
 * (matrix, explain, test, diff). `strict`: refuse, with every located problem, a policy
 * the gateway would refuse; otherwise the problems are returned and decisions are made
 * anyway (an old policy in `diff` may name fields the supergraph no longer has).
 */
export function compileForTools(
  policyFile: { path: string; shownAs: string },
  supergraph: SupergraphInfo,
  strict: boolean,
): { policy: CompiledPolicy; problems: LocatedProblem[] } {
  const { parsed } = readPolicy(policyFile.path, policyFile.shownAs);
  const problems = sortProblems(
    checkPolicy(parsed, supergraph.fields).map((problem) =>
      problem.field
        ? { file: supergraph.file, ...(supergraph.locations.get(problem.field) ?? { line: 0, column: 0 }), message: problem.message }
        : { file: parsed.source, line: problem.line, column: problem.column, message: problem.message },
    ),
    [parsed.source, supergraph.file],
  );
  if (strict && problems.length > 0) throw new ToolInputError(problems);
  return { policy: new CompiledPolicy(parsed, supergraph.fields), problems };
}
