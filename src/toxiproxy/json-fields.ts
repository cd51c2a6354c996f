/**
 * @module
 * Reading fields of a decoded JSON body with messages that name the field, for the admin API's 400 answers.
 */
import { ApiError } from './api-error.js';

/** A decoded JSON object. */
export type JsonObject = Record<string, unknown>;

/** Whether `value` is a JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` as an object, or a 400 naming `what`. */
export function expectObject(value: unknown, what: string): JsonObject {
  if (!isJsonObject(value)) throw ApiError.badRequestBody(`${what} must be a JSON object`);
  return value;
}

/** An optional string field; absent or null gives undefined. */
export function optionalString(body: JsonObject, field: string, where = ''): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw ApiError.badRequestBody(`field "${field}"${where} must be a string`);
  return value;
}

/** A required, non-empty string field: Toxiproxy's "missing required field: name". */
export function requiredString(body: JsonObject, field: string, where = ''): string {
  const value = optionalString(body, field, where);
  if (value === undefined || value.length === 0) throw ApiError.missingField(`${field}${where}`);
  return value;
}

/** An optional boolean field. */
export function optionalBoolean(body: JsonObject, field: string, where = ''): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw ApiError.badRequestBody(`field "${field}"${where} must be true or false`);
  return value;
}
