import { GraphQLError } from 'graphql';

/**
 * The error for a withheld field: code FORBIDDEN, the field, the rule (or `default-deny`)
 * and class that decided it. Names only schema facts, never anything about the value.
 */
export function forbiddenError(coordinate: string, rule: string, className: string | undefined, path?: ReadonlyArray<string | number>): GraphQLError {
  return new GraphQLError(`Not authorised to read ${coordinate}`, {
    path,
    extensions: { code: 'FORBIDDEN', field: coordinate, rule, ...(className ? { class: className } : {}) },
  });
}
