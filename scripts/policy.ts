/**
 * `npm run policy -- <command>`: the privacy officers' tools for schema/policy.yaml
 * (check, matrix, explain, test, diff). See `npm run policy -- help` and the README.
 */
import { runPolicyCli } from '../lib/policy/tools/cli';

process.exitCode = runPolicyCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  cwd: process.cwd(),
  env: process.env,
});
