/**
 * @module
 * A toxic as the admin API sees it, `{name, type, stream, toxicity, attributes}`, and the checks on the bodies
 * that create and update one.
 */
import { ApiError } from './api-error.js';
import { expectObject, optionalString, requiredString, type JsonObject } from './json-fields.js';
import { TOXIC_TYPES } from './toxics/toxic-types.js';
import type { ToxicAttributes, ToxicType } from './toxics/toxic-type.js';

/** Which way data flows: `upstream` is client → server, `downstream` server → client. */
export type StreamDirection = 'upstream' | 'downstream';

/** Both directions, in the order Toxiproxy lists toxics. */
export const DIRECTIONS: readonly StreamDirection[] = ['upstream', 'downstream'];

/** A toxic on a proxy. `toxicity` and `attributes` change on update; the rest is fixed at creation. */
export interface Toxic {
  readonly name: string;
  readonly type: ToxicType;
  readonly stream: StreamDirection;
  /** Probability in [0, 1] that the toxic applies to a connection. */
  toxicity: number;
  /** Every attribute of the type, defaults filled in. */
  attributes: ToxicAttributes;
}

/** The JSON of a toxic. */
export interface ToxicJson {
  name: string;
  type: string;
  stream: StreamDirection;
  toxicity: number;
  attributes: ToxicAttributes;
}

/** The JSON the API answers with. */
export function toxicToJson(toxic: Toxic): ToxicJson {
  return {
    name: toxic.name,
    type: toxic.type.name,
    stream: toxic.stream,
    toxicity: toxic.toxicity,
    attributes: { ...toxic.attributes },
  };
}

/**
 * Checks a create body. Defaults are Toxiproxy's: stream `downstream`, toxicity 1, name `<type>_<stream>`,
 * attributes 0. Throws a 400 {@link ApiError} naming the field at fault.
 */
export function parseNewToxic(body: unknown): Toxic {
  const input = expectObject(body, 'toxic');
  const typeName = requiredString(input, 'type');
  const streamText = optionalString(input, 'stream') ?? 'downstream';
  const stream = streamText.toLowerCase();
  if (stream !== 'upstream' && stream !== 'downstream') throw ApiError.invalidStream();
  const type = TOXIC_TYPES.get(typeName);
  if (!type) throw ApiError.invalidToxicType(typeName);
  const name = optionalString(input, 'name') || `${type.name}_${stream}`;
  const toxicity = readToxicity(input) ?? 1;
  const attributes = readAttributes(type, input['attributes'], { ...type.defaults });
  return { name, type, stream, toxicity, attributes };
}

/** The new values of an update: Toxiproxy changes only `toxicity` and `attributes` (merged into the old ones). */
export interface ToxicUpdate {
  readonly toxicity: number;
  readonly attributes: ToxicAttributes;
}

/** Checks an update body against `toxic` without changing it. */
export function parseToxicUpdate(toxic: Toxic, body: unknown): ToxicUpdate {
  const input = expectObject(body, 'toxic');
  return {
    toxicity: readToxicity(input) ?? toxic.toxicity,
    attributes: readAttributes(toxic.type, input['attributes'], { ...toxic.attributes }),
  };
}

function readToxicity(input: JsonObject): number | undefined {
  const value = input['toxicity'];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw ApiError.badRequestBody(`field "toxicity" must be a number from 0 to 1, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Merges the given attributes over `base`; attributes the type does not have are ignored, as Go's decoder does. */
function readAttributes(type: ToxicType, value: unknown, base: ToxicAttributes): ToxicAttributes {
  if (value !== undefined && value !== null) {
    const given = expectObject(value, 'field "attributes"');
    for (const key of Object.keys(type.defaults)) {
      const v = given[key];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
        throw ApiError.badRequestBody(`attributes.${key} of a ${type.name} toxic must be a whole number >= 0, got ${JSON.stringify(v)}`);
      }
      base[key] = v;
    }
  }
  const problem = type.check?.(base);
  if (problem) throw ApiError.badRequestBody(problem);
  return base;
}
