import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fromRoot } from '../../paths';
import { readCases, runCases } from './cases';
import { runCheck } from './check-command';
import { diffPolicies, renderDiff } from './diff';
import { displayPath } from './display';
import { explain } from './explain';
import { compileForTools } from './load-inputs';
import { buildMatrix } from './matrix';
import { formatProblem, LookupError, ToolInputError, UsageError } from './problems';
import { renderHtml } from './render-html';
import { renderJson, renderMarkdown, renderTable } from './render-text';
import { readSupergraph } from './supergraph';

/** Where the CLI writes and which directory and environment it runs in. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** The usage text of `npm run policy`. */
export const USAGE = `usage: npm run policy -- <command> [options]

commands:
  check                                   validate the policy against its JSON Schema and the supergraph
  matrix [--format table|markdown|json|html] [--out FILE] [--audience NAME]...
                                          every classified field by audience: allowed, conditional, denied
  explain (--role ROLE | --audience NAME) --field Type.field [--purpose P] [--org ORG] [--consent escort|none] [--no-big]
                                          the decision for one caller and field, and the rule that made it
  test [--cases FILE]                     run the privacy officers' expectation cases (schema/policy-tests.yaml)
  diff OLD NEW                            which audience gains or loses which fields between two policy files

options for every command:
  --policy FILE       the policy (default POLICY_FILE or schema/policy.yaml)
  --supergraph FILE   the supergraph (default SUPERGRAPH_FILE or schema/supergraph.graphql)

exit status: 0 fine, 1 problems or mismatches, 2 wrong command line`;

const COMMON = {
  policy: { type: 'string' },
  supergraph: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const FORMATS = ['table', 'markdown', 'json', 'html'] as const;

/**
 * Runs `npm run policy -- <command>` with the given arguments and returns the exit status.
 * All output goes through `io`, so tests run the commands in-process.
 */
export function runPolicyCli(argv: readonly string[], io: CliIo): number {
  const lines = (text: string | string[]) => io.out(`${Array.isArray(text) ? text.join('\n') : text}\n`);
  const [command, ...rest] = argv;
  try {
    if (!command || command === 'help' || command === '--help' || command === '-h') {
      lines(USAGE);
      return command ? 0 : 2;
    }
    const file = (value: string | undefined, envName: string, ...fallback: string[]) => {
      const path = resolve(io.cwd, value ?? io.env[envName] ?? fromRoot(...fallback));
      return { path, shownAs: displayPath(path, io.cwd) };
    };
    const parse = <O extends Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>>(options: O, positionals = false) => {
      try {
        return parseArgs({ args: [...rest], options: { ...COMMON, ...options }, allowPositionals: positionals, strict: true });
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
    };
    switch (command) {
      case 'check': {
        const { values } = parse({});
        const result = runCheck({
          policy: file(values.policy as string | undefined, 'POLICY_FILE', 'schema', 'policy.yaml'),
          supergraph: file(values.supergraph as string | undefined, 'SUPERGRAPH_FILE', 'schema', 'supergraph.graphql'),
        });
        if (result.problems.length > 0) lines(result.problems.map(formatProblem));
        lines(result.summary);
        return result.problems.length > 0 ? 1 : 0;
      }
      case 'matrix': {
        const { values } = parse({ format: { type: 'string' }, out: { type: 'string' }, audience: { type: 'string', multiple: true } });
        const format = (values.format as string | undefined) ?? 'table';
        if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
        const supergraph = readSupergraph(...args(file(values.supergraph as string | undefined, 'SUPERGRAPH_FILE', 'schema', 'supergraph.graphql')));
        const { policy } = compileForTools(file(values.policy as string | undefined, 'POLICY_FILE', 'schema', 'policy.yaml'), supergraph, true);
        const audiences = (values.audience as string[] | undefined) ?? [];
        const unknown = audiences.filter((a) => !(a in policy.document.audiences));
        if (unknown.length > 0) throw new LookupError(`unknown audience "${unknown[0]}": the policy's audiences are ${Object.keys(policy.document.audiences).join(', ')}`);
        const matrix = buildMatrix(policy, supergraph, audiences);
        const render = { table: renderTable, markdown: renderMarkdown, json: renderJson, html: renderHtml }[format as (typeof FORMATS)[number]];
        const output = render(matrix);
        if (values.out) {
          const out = resolve(io.cwd, values.out as string);
          writeFileSync(out, output);
          lines(`wrote ${displayPath(out, io.cwd)} (${format}: ${matrix.rows.length} fields by ${matrix.audiences.length} audiences)`);
        } else {
          io.out(output);
        }
        return 0;
      }
      case 'explain': {
        const { values } = parse({
          role: { type: 'string' },
          audience: { type: 'string' },
          field: { type: 'string' },
          purpose: { type: 'string' },
          org: { type: 'string' },
          consent: { type: 'string' },
          'no-big': { type: 'boolean' },
        });
        if (!values.field) throw new UsageError('explain needs --field Type.field');
        if ((values.role === undefined) === (values.audience === undefined)) throw new UsageError('explain needs either --role or --audience');
        if (values.consent !== undefined && values.consent !== 'escort' && values.consent !== 'none') throw new UsageError('--consent must be escort or none');
        const supergraph = readSupergraph(...args(file(values.supergraph as string | undefined, 'SUPERGRAPH_FILE', 'schema', 'supergraph.graphql')));
        const { policy } = compileForTools(file(values.policy as string | undefined, 'POLICY_FILE', 'schema', 'policy.yaml'), supergraph, true);
        lines(
          explain(policy, supergraph, {
            role: values.role as string | undefined,
            audience: values.audience as string | undefined,
            field: values.field as string,
            purpose: values.purpose as string | undefined,
            organisation: values.org as string | undefined,
            consent: values.consent as 'escort' | 'none' | undefined,
            bigRegistration: !values['no-big'],
          }),
        );
        return 0;
      }
      case 'test': {
        const { values } = parse({ cases: { type: 'string' } });
        const supergraph = readSupergraph(...args(file(values.supergraph as string | undefined, 'SUPERGRAPH_FILE', 'schema', 'supergraph.graphql')));
        const { policy } = compileForTools(file(values.policy as string | undefined, 'POLICY_FILE', 'schema', 'policy.yaml'), supergraph, true);
        const casesFile = file(values.cases as string | undefined, 'POLICY_TESTS_FILE', 'schema', 'policy-tests.yaml');
        const result = runCases(policy, supergraph, readCases(casesFile.path, casesFile.shownAs));
        lines(result.lines);
        return result.ok ? 0 : 1;
      }
      case 'diff': {
        const { values, positionals } = parse({}, true);
        if (positionals.length !== 2) throw new UsageError('diff needs two policy files: diff OLD NEW');
        if (values.policy !== undefined) throw new UsageError('diff takes the two policies as arguments, not --policy');
        const supergraph = readSupergraph(...args(file(values.supergraph as string | undefined, 'SUPERGRAPH_FILE', 'schema', 'supergraph.graphql')));
        const [before, after] = positionals.map((p) => {
          const path = resolve(io.cwd, p);
          const target = { path, shownAs: displayPath(path, io.cwd) };
          const compiled = compileForTools(target, supergraph, false);
          if (compiled.problems.length > 0) {
            io.err(`note: ${target.shownAs} has ${compiled.problems.length} problem(s) against ${supergraph.file}; decided anyway:\n${compiled.problems.map(formatProblem).join('\n')}\n`);
          }
          return compiled.policy;
        }) as [ReturnType<typeof compileForTools>['policy'], ReturnType<typeof compileForTools>['policy']];
        const classified = [...supergraph.fields.values()].filter((f) => f.className).map((f) => f.coordinate);
        const diff = diffPolicies(before, after, classified);
        lines([
          `old: ${before.parsed.source} (version ${before.version}, hash ${before.hash})`,
          `new: ${after.parsed.source} (version ${after.version}, hash ${after.hash})`,
          '',
          ...(before.hash === after.hash ? ['the two policies are identical'] : renderDiff(diff)),
        ]);
        return 0;
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof LookupError) {
      io.err(`error: ${error.message}\n`);
      return 1;
    }
    if (error instanceof ToolInputError) {
      lines(error.problems.map(formatProblem));
      return 1;
    }
    throw error;
  }
}

function args(target: { path: string; shownAs: string }): [string, string] {
  return [target.path, target.shownAs];
}
