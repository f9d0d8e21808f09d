import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { ParseOptions, ValidationRule } from 'graphql';
import type { InputLimits } from '../limits/defaults';
import { DateTimeScalar } from '../../lib/subgraph/kit';
import { useInputLimits } from '../limits';
import { useKnownOperation } from './useKnownOperation';
import { useNoNulCharacters } from './useNoNulCharacters';
import { useNoReservedAliases } from './useNoReservedAliases';
import { useScalarLiterals } from './useScalarLiterals';
import { loadTrustedDocuments, useTrustedDocuments } from './useTrustedDocuments';
import { useValidVariables } from './useValidVariables';

/** The partners' custom scalars, checked at the gateway as the partners check them. */
const CUSTOM_SCALARS = [DateTimeScalar];

/** Options of {@link useInputGuards}: the parts of the gateway's configuration they need. */
export interface InputGuardOptions {
  limits: InputLimits;
  /** TRUSTED_DOCUMENTS_FILE; trusted-documents mode when set. */
  trustedDocumentsFile?: string;
}

/**
 * The gateway's protection against hostile and malformed operations, for Apollo Server's
 * `parseOptions`, `validationRules` (no aliases beginning with `__`, custom-scalar literals
 * checked as the partners check them) and `plugins` (before
 * any other plugin, so that later ones see the final error codes): trusted documents when
 * configured, then an operation that can be run, well-typed variables (custom scalars
 * included), no NUL characters in strings, and the input limits (tokens, depth, aliases, list size, cost).
 * Each refusal is an HTTP 400 with its own code. Reads and checks the trusted-documents
 * manifest now, so a broken one stops the start.
 */
export function useInputGuards({ limits, trustedDocumentsFile }: InputGuardOptions): {
  parseOptions: ParseOptions;
  validationRules: ValidationRule[];
  plugins: ApolloServerPlugin<BaseContext>[];
} {
  const { parseOptions, plugins } = useInputLimits(limits);
  return {
    parseOptions,
    validationRules: [useNoReservedAliases(), useScalarLiterals(CUSTOM_SCALARS)],
    plugins: [
      ...(trustedDocumentsFile ? [useTrustedDocuments({ documents: loadTrustedDocuments(trustedDocumentsFile) })] : []),
      useKnownOperation(),
      useValidVariables({ scalars: CUSTOM_SCALARS }),
      useNoNulCharacters(),
      ...plugins,
    ],
  };
}
