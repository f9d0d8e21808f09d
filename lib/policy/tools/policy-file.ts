import { readFileSync } from 'node:fs';
import { PolicyError, parsePolicy, type ParsedPolicy } from '../load';
import { ToolInputError } from './problems';

/** A parsed policy together with its text (the tools locate keys in it). */
export interface PolicyFile {
  parsed: ParsedPolicy;
  text: string;
}

/**
 * Reads a policy file and validates it against schema/policy.schema.json (parsePolicy);
 * throws ToolInputError with every located problem when it is unreadable, not YAML or not
 * schema-valid. `shownAs` is the name used in messages.
 */
export function readPolicy(path: string, shownAs: string): PolicyFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ToolInputError([{ file: shownAs, line: 0, column: 0, message: `cannot read the policy file (${(error as NodeJS.ErrnoException).code ?? 'error'})` }]);
  }
  try {
    return { parsed: parsePolicy(text, shownAs), text };
  } catch (error) {
    if (error instanceof PolicyError) {
      throw new ToolInputError(error.problems.map((p) => ({ file: shownAs, line: p.line, column: p.column, message: p.message })));
    }
    throw error;
  }
}
