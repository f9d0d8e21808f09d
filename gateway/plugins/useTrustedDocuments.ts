import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { GraphQLError, parse } from 'graphql';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../lib/config';

/** The registered operations: sha256 (hex) of a document's exact text → that text. */
export type TrustedDocuments = ReadonlyMap<string, string>;

const SHA256 = /^[0-9a-f]{64}$/;

/** The sha256 (lowercase hex) of a document's exact text, as the manifest keys it. */
export function documentHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Reads a trusted-documents manifest (TRUSTED_DOCUMENTS_FILE): one JSON object from the
 * sha256 of each document's exact text to that text, `{ "<sha256>": "query … { … }" }`, as
 * GraphQL Codegen's client preset writes it with `persistedDocuments: { hashAlgorithm:
 * 'sha256' }`. Every key must be a lowercase sha256, equal to the hash of its document, and
 * every document must parse; anything else throws ConfigError naming the file and the entry
 * (so a broken manifest stops the start).
 */
export function loadTrustedDocuments(file: string): TrustedDocuments {
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`TRUSTED_DOCUMENTS_FILE ${file}: cannot read it as JSON (${(error as Error).message})`);
  }
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) {
    throw new ConfigError(`TRUSTED_DOCUMENTS_FILE ${file}: must be one JSON object of sha256 hash -> document`);
  }
  const documents = new Map<string, string>();
  for (const [hash, text] of Object.entries(manifest)) {
    const entry = `TRUSTED_DOCUMENTS_FILE ${file}: entry "${hash.slice(0, 16)}…"`;
    if (!SHA256.test(hash)) throw new ConfigError(`${entry}: the key must be a lowercase hex sha256`);
    if (typeof text !== 'string') throw new ConfigError(`${entry}: the document must be a string`);
    if (documentHash(text) !== hash) throw new ConfigError(`${entry}: the key is not the sha256 of its document`);
    try {
      parse(text);
    } catch (error) {
      throw new ConfigError(`${entry}: the document does not parse (${(error as Error).message})`);
    }
    documents.set(hash, text);
  }
  if (documents.size === 0) throw new ConfigError(`TRUSTED_DOCUMENTS_FILE ${file}: the manifest has no documents`);
  return documents;
}

/** Options of {@link useTrustedDocuments}. */
export interface TrustedDocumentsOptions {
  /** The registered operations ({@link loadTrustedDocuments}). */
  documents: TrustedDocuments;
}

/**
 * An Apollo Server plugin for trusted-documents mode: only operations in the manifest are
 * executed. A request may name one by hash alone, APQ-style
 * (`extensions.persistedQuery.sha256Hash` without `query`), or send the full text, whose
 * sha256 must then be in the manifest. An unknown hash is refused with HTTP 400 and
 * `PERSISTED_QUERY_NOT_FOUND`; any other text with HTTP 400 and `OPERATION_NOT_TRUSTED`,
 * before it is planned or executed.
 */
export function useTrustedDocuments({ documents }: TrustedDocumentsOptions): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart({ request }) {
      // By hash alone: put the registered text in place before Apollo Server reads it (it
      // then checks that the hash matches the text, as for any persisted query).
      const persisted = request.extensions?.persistedQuery as { sha256Hash?: unknown } | undefined;
      let byHash = false;
      if (request.query === undefined && persisted && typeof persisted === 'object') {
        byHash = true;
        const hash = persisted.sha256Hash;
        const text = typeof hash === 'string' ? documents.get(hash) : undefined;
        if (text !== undefined) request.query = text;
      }
      return {
        async didResolveOperation({ queryHash }) {
          if (!documents.has(queryHash)) {
            throw new GraphQLError('only registered operations are executed here (trusted documents): this one is not in the manifest', {
              extensions: { code: 'OPERATION_NOT_TRUSTED', http: { status: 400 } },
            });
          }
        },
        async willSendResponse({ response }) {
          // Apollo Server answers an unknown persisted query with 200 (the APQ protocol);
          // in trusted-documents mode it is a refusal.
          if (!byHash || response.body.kind !== 'single') return;
          if (response.body.singleResult.errors?.some((e) => e.extensions?.code === 'PERSISTED_QUERY_NOT_FOUND')) response.http.status = 400;
        },
      };
    },
  };
}
