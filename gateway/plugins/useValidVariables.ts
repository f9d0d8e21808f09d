import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import {
  getNullableType,
  getVariableValues,
  GraphQLError,
  isInputObjectType,
  isListType,
  isScalarType,
  typeFromAST,
  type GraphQLInputType,
  type GraphQLScalarType,
} from 'graphql';
import { withoutSuppliedValue } from '../../lib/http/redact-input';

/** Options of {@link useValidVariables}. */
export interface ValidVariablesOptions {
  /**
   * The partners' implementations of custom scalars (`DateTime`): the gateway's API schema
   * accepts any value for them, so variable values of these scalars are checked with these.
   */
  scalars?: readonly GraphQLScalarType[];
}

/** The first reason a value of a checked custom scalar inside `value` (of `type`) is refused. */
function scalarProblem(type: GraphQLInputType, value: unknown, scalars: ReadonlyMap<string, GraphQLScalarType>): string | undefined {
  if (value === null || value === undefined) return undefined;
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      const problem = scalarProblem(nullable.ofType, item, scalars);
      if (problem) return problem;
    }
    return undefined;
  }
  if (isInputObjectType(nullable)) {
    if (typeof value !== 'object') return undefined;
    for (const field of Object.values(nullable.getFields())) {
      const problem = scalarProblem(field.type, (value as Record<string, unknown>)[field.name], scalars);
      if (problem) return problem;
    }
    return undefined;
  }
  const scalar = isScalarType(nullable) ? scalars.get(nullable.name) : undefined;
  if (!scalar) return undefined;
  try {
    scalar.parseValue(value);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : 'invalid value';
  }
}

/**
 * An Apollo Server plugin that checks the request's variables against the operation's
 * variable definitions before anything is planned: a missing required variable or a value
 * of the wrong type is refused with HTTP 400 and `BAD_USER_INPUT`, naming the variable and
 * the reason but never the value supplied (a V-number sent as a number is still personal
 * data). Values of custom scalars are checked with the partners' implementations
 * (`scalars`). The gateway would otherwise answer 200 with `data: null`.
 */
export function useValidVariables({ scalars = [] }: ValidVariablesOptions = {}): ApolloServerPlugin<BaseContext> {
  const checked = new Map(scalars.map((scalar) => [scalar.name, scalar]));
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request, schema }) {
          if (!operation) return;
          const { errors } = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {}, { maxErrors: 1 });
          const first = errors?.[0];
          if (first) {
            throw new GraphQLError(withoutSuppliedValue(first.message), {
              nodes: first.nodes,
              extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
            });
          }
          if (checked.size === 0) return;
          for (const definition of operation.variableDefinitions ?? []) {
            const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
            const name = definition.variable.name.value;
            const problem = type && scalarProblem(type, request.variables?.[name], checked);
            if (problem) {
              throw new GraphQLError(withoutSuppliedValue(`Variable "$${name}" got an invalid value; ${problem}`), {
                nodes: [definition],
                extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
              });
            }
          }
        },
      };
    },
  };
}
