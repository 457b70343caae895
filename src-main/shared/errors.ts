import type { ApiError, ErrorCode } from './api'

/** An error with a stable code that crosses the API boundary as `{ code, message, details }`. */
export class GlossaError extends Error {
  readonly code: ErrorCode
  readonly details?: unknown
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message)
    this.name = 'GlossaError'
    this.code = code
    this.details = details
  }
  toJSON(): ApiError {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details }
  }
}

export function isApiError(v: unknown): v is ApiError {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as ApiError).code === 'string' &&
    typeof (v as ApiError).message === 'string'
  )
}

/** Converts anything thrown into the wire shape; unknown errors become INTERNAL. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof GlossaError) return err.toJSON()
  if (isApiError(err)) return { code: err.code, message: err.message, details: err.details }
  const message = err instanceof Error ? err.message : String(err)
  return { code: 'INTERNAL', message }
}
