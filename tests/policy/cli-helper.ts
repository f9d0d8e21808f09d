import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { fromRoot } from '../../lib/paths';
import { runPolicyCli } from '../../lib/policy/tools/cli';

/** What one `npm run policy -- …` printed, run in-process from the repository root. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout split into lines, without the final empty one. */
  lines: string[];
}

/** Runs the policy CLI in-process, from the repository root, without POLICY_FILE/SUPERGRAPH_FILE. */
export function runPolicy(...argv: string[]): CliRun {
  let stdout = '';
  let stderr = '';
  const env = { ...process.env };
  delete env.POLICY_FILE;
  delete env.SUPERGRAPH_FILE;
  delete env.POLICY_TESTS_FILE;
  const code = runPolicyCli(argv, { out: (t) => (stdout += t), err: (t) => (stderr += t), cwd: fromRoot(), env });
  return { code, stdout, stderr, lines: stdout.replace(/\n$/, '').split('\n') };
}

/** A temporary folder for one test file; `write` puts a file in it and returns its absolute path. */
export function tempFolder(prefix: string): { dir: string; write(name: string, text: string): string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    write(name, text) {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The fixture supergraph and policy of these tests (paths relative to the repository root). */
export const FIXTURE_SUPERGRAPH = 'tests/policy/fixtures/supergraph.graphql';
export const FIXTURE_POLICY = 'tests/policy/fixtures/policy.yaml';

/** The policy version hash as the gateway computes it: sha256 of the file's bytes, 16 hex digits. */
export function policyHash(file: string): string {
  return createHash('sha256').update(readFileSync(fromRoot(file), 'utf8')).digest('hex').slice(0, 16);
}

/** The real policy, parsed independently of the code under test. */
export function realPolicy(): { version: string; rules: Array<{ id: string; classes?: string[]; fields?: string[] }>; audiences: Record<string, unknown>; classes: Record<string, unknown> } {
  return parseYaml(readFileSync(fromRoot('schema', 'policy.yaml'), 'utf8'));
}
