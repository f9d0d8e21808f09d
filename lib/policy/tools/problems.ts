/** A problem found by a policy tool, located in a file (line and column 1-based; 0 when not locatable). */
export interface LocatedProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

/** Formats a problem the way compilers do, so that editors can jump to it: `file:line:col: error: message`. */
export function formatProblem(problem: LocatedProblem): string {
  const where = problem.line > 0 ? `${problem.file}:${problem.line}:${problem.column}` : problem.file;
  return `${where}: error: ${problem.message}`;
}

/** Sorts problems by file (in the order given), then line and column; stable for equal positions. */
export function sortProblems(problems: readonly LocatedProblem[], fileOrder: readonly string[]): LocatedProblem[] {
  const rank = (file: string) => {
    const index = fileOrder.indexOf(file);
    return index < 0 ? fileOrder.length : index;
  };
  return problems
    .map((problem, index) => ({ problem, index }))
    .sort((a, b) => rank(a.problem.file) - rank(b.problem.file) || a.problem.line - b.problem.line || a.problem.column - b.problem.column || a.index - b.index)
    .map(({ problem }) => problem);
}

/** Thrown when a tool's input (policy, supergraph, cases file) cannot be used at all; carries every located problem. */
export class ToolInputError extends Error {
  constructor(readonly problems: LocatedProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ToolInputError';
  }
}

/** A wrong command line: the CLI prints the message and the usage, and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A name on the command line that the policy or supergraph does not know: the CLI prints it and exits 1. */
export class LookupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LookupError';
  }
}
