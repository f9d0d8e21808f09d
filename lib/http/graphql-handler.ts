import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A request as the context builders see it: headers and the exact body bytes received. */
export interface RawRequest {
  method: string;
  headers: IncomingMessage['headers'];
  rawBody: Buffer;
  url: URL;
}

export type Route = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface GraphQLHandlerOptions<C extends BaseContext> {
  server: ApolloServer<C>;
  /** Path of the GraphQL endpoint, `/graphql`. */
  path: string;
  /** Largest accepted request body; larger ones get 413. */
  maxBodyBytes: number;
  /** Builds the per-request context; throw a GraphQLError with extensions.http.status to refuse. */
  context(request: RawRequest): Promise<C>;
  /** Other GET endpoints (health, readiness, metrics) by path. */
  routes?: Record<string, Route>;
}

/** Writes a GraphQL-shaped error response without touching Apollo (body and framing errors). */
export function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Sends a JSON body with a status. */
export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Thrown by readBody when the body exceeds the limit. */
export class BodyTooLarge extends Error {}

/** How much of an oversized body is read and thrown away so that the 413 reaches the client (a chunked body has no length to refuse up front); beyond it the connection is cut. */
const DISCARD_LIMIT_BYTES = 1_000_000;

/** Reads the rest of a refused body without keeping it, up to DISCARD_LIMIT_BYTES. */
function discardBody(req: IncomingMessage): void {
  let discarded = 0;
  req.removeAllListeners('data');
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > DISCARD_LIMIT_BYTES) req.destroy();
  });
  req.resume();
}

/** Reads a request body up to `limit` bytes; rejects with BodyTooLarge beyond it. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      reject(new BodyTooLarge());
      discardBody(req);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLarge());
        discardBody(req);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * A node:http request handler that serves Apollo Server at one path from the raw request,
 * so the exact body bytes are available (the subgraphs verify the gateway's signature
 * over them). Framing problems are answered here with 4xx and a GraphQL error body:
 * oversized bodies, malformed JSON, unsupported content types, unknown paths.
 */
export function createGraphQLHandler<C extends BaseContext>(options: GraphQLHandlerOptions<C>) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const route = options.routes?.[url.pathname];
      if (route && (req.method === 'GET' || req.method === 'HEAD')) {
        await route(req, res);
        return;
      }
      if (url.pathname !== options.path) {
        sendError(res, 404, 'NOT_FOUND', 'not found');
        return;
      }
      if (req.method !== 'POST' && req.method !== 'GET') {
        res.setHeader('allow', 'GET, POST');
        sendError(res, 405, 'METHOD_NOT_ALLOWED', 'use POST (or GET for queries)');
        return;
      }
      let rawBody: Buffer;
      try {
        rawBody = await readBody(req, options.maxBodyBytes);
      } catch (error) {
        if (error instanceof BodyTooLarge) sendError(res, 413, 'PAYLOAD_TOO_LARGE', `request body larger than ${options.maxBodyBytes} bytes`);
        else sendError(res, 400, 'BAD_REQUEST', 'could not read the request body');
        return;
      }
      let body: unknown = undefined;
      if (req.method === 'POST') {
        const type = (req.headers['content-type'] ?? '').toLowerCase();
        if (!type.startsWith('application/json') && !type.startsWith('application/graphql-response+json')) {
          sendError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'POST requests must have content-type application/json');
          return;
        }
        try {
          body = JSON.parse(rawBody.toString('utf8'));
        } catch {
          sendError(res, 400, 'BAD_REQUEST', 'the request body is not valid JSON');
          return;
        }
        if (body === null || typeof body !== 'object' || Array.isArray(body)) {
          sendError(res, 400, 'BAD_REQUEST', 'the request body must be one JSON object (batching is off)');
          return;
        }
      }
      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      }
      const raw: RawRequest = { method: req.method, headers: req.headers, rawBody, url };
      const response = await options.server.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method, headers, search: url.search, body },
        context: () => options.context(raw),
      });
      for (const [key, value] of response.headers) res.setHeader(key, value);
      res.statusCode = response.status ?? 200;
      if (response.body.kind === 'complete') {
        res.end(response.body.string);
      } else {
        for await (const chunk of response.body.asyncIterator) res.write(chunk);
        res.end();
      }
    } catch {
      // Never a stack trace and never a 500 body with internals; Apollo handled GraphQL errors already.
      if (!res.headersSent) sendError(res, 500, 'INTERNAL_SERVER_ERROR', 'internal error');
      else res.end();
    }
  };
}
