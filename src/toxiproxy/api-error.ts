/**
 * @module
 * The errors the admin API answers with. Messages and status codes are Toxiproxy's (`api.go`), so clients and
 * people who match on them (`proxy already exists`, `missing required field: name`) see what they know.
 */

/**
 * An error with an HTTP status, written as `{"error": message, "status": status}` like Toxiproxy's `ApiError`.
 *
 * @example
 * throw ApiError.missingField('upstream'); // 400 "missing required field: upstream"
 */
export class ApiError extends Error {
  constructor(
    message: string,
    /** HTTP status code of the answer. */
    readonly status: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The JSON body Toxiproxy sends for an error. */
  toJSON(): { error: string; status: number } {
    return { error: this.message, status: this.status };
  }

  /** 400: the body is not JSON, or a field has the wrong type or value; `detail` names the field. */
  static badRequestBody(detail: string): ApiError {
    return new ApiError(`bad request body: ${detail}`, 400);
  }

  /** 400: a required field is absent or empty. */
  static missingField(field: string): ApiError {
    return new ApiError(`missing required field: ${field}`, 400);
  }

  /** 404 "proxy not found". */
  static proxyNotFound(): ApiError {
    return new ApiError('proxy not found', 404);
  }

  /** 409 "proxy already exists". */
  static proxyAlreadyExists(): ApiError {
    return new ApiError('proxy already exists', 409);
  }

  /** 400: `stream` is neither `upstream` nor `downstream`. */
  static invalidStream(): ApiError {
    return new ApiError('stream was invalid, can be either upstream or downstream', 400);
  }

  /** 400: no toxic type by that name. */
  static invalidToxicType(type: string): ApiError {
    // Toxiproxy says only "invalid toxic type"; the type is appended so a typo is visible.
    return new ApiError(`invalid toxic type: ${type}`, 400);
  }

  /** 409 "toxic already exists" (names are unique across both streams). */
  static toxicAlreadyExists(): ApiError {
    return new ApiError('toxic already exists', 409);
  }

  /** 404 "toxic not found". */
  static toxicNotFound(): ApiError {
    return new ApiError('toxic not found', 404);
  }
}

/** Whether `error` is an {@link ApiError}. */
export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}
