/**
 * @module
 * Reading JSON requests and writing answers with node:http, for the admin API.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from './api-error.js';

/** Largest request body accepted: proxy and toxic bodies are tiny; a /populate of hundreds still fits. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** What a handler answers. */
export interface Reply {
  readonly status: number;
  /** Serialised as JSON. */
  readonly json?: unknown;
  /** Sent as is, with `contentType`. */
  readonly text?: string;
  readonly contentType?: string;
}

/** Reads and parses a JSON body. Empty or malformed bodies are 400 "bad request body: …" as in Toxiproxy. */
export async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const text = await new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // Events rather than for-await: leaving a for-await early destroys the request, and the answer with it.
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.once('end', () => {
      if (size > MAX_BODY_BYTES) reject(new ApiError(`request body larger than ${MAX_BODY_BYTES} bytes`, 413));
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    request.once('error', reject);
  });
  // Go's decoder says "EOF" for an empty body; clients that match on it keep working.
  if (text.trim() === '') throw ApiError.badRequestBody('EOF');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw ApiError.badRequestBody(error instanceof Error ? error.message : String(error));
  }
}

/** Writes a reply. */
export function send(response: ServerResponse, reply: Reply): void {
  if (reply.json !== undefined) {
    const body = JSON.stringify(reply.json);
    response.writeHead(reply.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    response.end(body);
  } else if (reply.text !== undefined) {
    response.writeHead(reply.status, {
      'Content-Type': reply.contentType ?? 'text/plain; charset=utf-8',
      'Content-Length': Buffer.byteLength(reply.text),
    });
    response.end(reply.text);
  } else {
    response.writeHead(reply.status);
    response.end();
  }
}

/** The reply for an error: `{"error": …, "status": …}` with its status. */
export function errorReply(error: ApiError): Reply {
  return { status: error.status, json: error.toJSON() };
}
