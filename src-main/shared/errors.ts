import type { ApiError, ErrorCode } from './api'
import { ERROR_CODES } from './constants'

const CODES: ReadonlySet<string> = new Set(ERROR_CODES)

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

/** `{ code, message }` with one of the documented codes (a Node or SQLite error is not one). */
export function isApiError(v: unknown): v is ApiError {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as ApiError).code === 'string' &&
    CODES.has((v as ApiError).code) &&
    typeof (v as ApiError).message === 'string'
  )
}

/** Longest error message that crosses the boundary (the rest is counted, not sent). */
export const MAX_MESSAGE_CHARS = 2000
/** Validation problems listed in an INVALID_ARGS error (the rest are counted). */
export const MAX_ISSUES = 20
/** Largest `details` (as JSON) that crosses the boundary; bigger details are dropped. */
export const MAX_DETAILS_BYTES = 16 * 1024

/** Cuts a message to MAX_MESSAGE_CHARS, saying how much was left out. */
export function capMessage(message: string, max = MAX_MESSAGE_CHARS): string {
  if (message.length <= max) return message
  return `${message.slice(0, max)}… (${(message.length - max).toLocaleString('en')} more characters)`
}

/** What an error is about, so a message from SQLite or Node can name it. */
export interface ErrorContext {
  /** the library file (SQLite errors do not name it themselves) */
  file?: string
}

interface CodedError {
  code?: unknown
  path?: unknown
  address?: unknown
  port?: unknown
  message?: unknown
}

function subject(e: CodedError, ctx: ErrorContext): string {
  if (typeof e.path === 'string' && e.path) return e.path
  return ctx.file ?? 'the library'
}

/**
 * Maps SQLite (better-sqlite3 SqliteError codes) and Node (errno) errors to stable codes with a
 * message that names the file and the reason. Returns null for anything else.
 */
export function classifyError(err: unknown, ctx: ErrorContext = {}): ApiError | null {
  if (typeof err !== 'object' || err === null) return null
  const e = err as CodedError
  const code = typeof e.code === 'string' ? e.code : ''
  const lib = ctx.file ?? 'the library'
  if (code.startsWith('SQLITE_')) {
    const base = code.replace(/^(SQLITE_[A-Z]+).*$/, '$1')
    const sqliteMsg = typeof e.message === 'string' ? e.message : code
    switch (base) {
      case 'SQLITE_CORRUPT':
      case 'SQLITE_NOTADB':
        return {
          code: 'LIBRARY_CORRUPT',
          message: `${lib}: the library file is damaged (SQLite: ${sqliteMsg}). Glossa will not write to it; restore a backup or open a copy.`,
          details: { file: ctx.file, sqlite: code }
        }
      case 'SQLITE_BUSY':
      case 'SQLITE_LOCKED':
        return {
          code: 'BUSY',
          message: `${lib}: the library is locked by another process (waited 5 s); try again in a moment.`,
          details: { file: ctx.file, sqlite: code }
        }
      case 'SQLITE_READONLY':
        return {
          code: 'READ_ONLY',
          message: `${lib}: the library is read-only here (SQLite: ${sqliteMsg}); nothing was changed.`,
          details: { file: ctx.file, sqlite: code }
        }
      case 'SQLITE_FULL':
        return {
          code: 'DISK_FULL',
          message: `${lib}: the disk is full; the change was not saved.`,
          details: { file: ctx.file, sqlite: code }
        }
      case 'SQLITE_TOOBIG':
        return {
          code: 'TOO_LARGE',
          message: `${lib}: a value is too large to store (SQLite: ${sqliteMsg}).`,
          details: { file: ctx.file, sqlite: code }
        }
      case 'SQLITE_CONSTRAINT':
        return {
          code: 'CONFLICT',
          message: `${lib}: the change conflicts with what is stored (SQLite: ${sqliteMsg}).`,
          details: { file: ctx.file, sqlite: code }
        }
      case 'SQLITE_IOERR':
      case 'SQLITE_CANTOPEN':
      case 'SQLITE_PERM':
        return {
          code: 'IO_ERROR',
          message: `${lib}: cannot read or write the library file (SQLite: ${sqliteMsg}).`,
          details: { file: ctx.file, sqlite: code }
        }
      default:
        return null
    }
  }
  const where = subject(e, ctx)
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return { code: 'DISK_FULL', message: `${where}: the disk is full (${code}).` }
    case 'EROFS':
      return { code: 'READ_ONLY', message: `${where}: the file system is read-only (EROFS).` }
    case 'EACCES':
    case 'EPERM':
      return { code: 'IO_ERROR', message: `${where}: permission denied (${code}).` }
    case 'ENOENT':
      return { code: 'NOT_FOUND', message: `${where}: no such file or folder.` }
    case 'ENAMETOOLONG':
      return { code: 'INVALID_ARGS', message: 'a path is too long (ENAMETOOLONG).' }
    case 'EADDRNOTAVAIL':
      return {
        code: 'INVALID_ARGS',
        message: `cannot listen on ${String(e.address ?? 'that address')}: it is not an address of this machine (EADDRNOTAVAIL).`
      }
    case 'EADDRINUSE':
      return {
        code: 'CONFLICT',
        message: `cannot listen on ${String(e.address ?? '')}:${String(e.port ?? '')}: the port is in use (EADDRINUSE).`
      }
    case 'EMFILE':
    case 'ENFILE':
      return { code: 'BUSY', message: `too many open files (${code}); try again.` }
    case 'ERR_INVALID_ARG_VALUE':
    case 'ERR_INVALID_ARG_TYPE':
      // Node names the offending value (a path with a NUL byte, …): never echo it
      return {
        code: 'INVALID_ARGS',
        message: 'a path or name is not valid (NUL byte or wrong type).'
      }
    default:
      break
  }
  if (err instanceof RangeError && /string length|array length|call stack/i.test(err.message))
    return {
      code: 'TOO_LARGE',
      message: `the request or its result is too large (${err.message}).`
    }
  return null
}

/** The details as plain JSON of bounded size, or undefined (dropped) when too big or not JSON. */
export function capDetails(details: unknown): unknown {
  if (details === undefined) return undefined
  if (Array.isArray(details) && details.length > MAX_ISSUES) details = details.slice(0, MAX_ISSUES)
  try {
    const json = JSON.stringify(details)
    if (json === undefined || json.length > MAX_DETAILS_BYTES) return undefined
    return JSON.parse(json) as unknown
  } catch {
    return undefined
  }
}

/**
 * Converts anything thrown into the wire shape, bounded in size: known SQLite and Node errors
 * get their stable code and a message naming the file; unknown errors become INTERNAL.
 */
export function toApiError(err: unknown, ctx: ErrorContext = {}): ApiError {
  let e: ApiError
  if (err instanceof GlossaError) e = err.toJSON()
  else {
    const known = classifyError(err, ctx)
    if (known) e = known
    else if (isApiError(err)) e = { code: err.code, message: err.message, details: err.details }
    else {
      const code = (err as { code?: unknown } | null)?.code
      const raw = err instanceof Error ? err.message : String(err)
      e = { code: 'INTERNAL', message: typeof code === 'string' ? `${raw} [${code}]` : raw }
    }
  }
  const details = capDetails(e.details)
  const message = capMessage(e.message)
  return details === undefined ? { code: e.code, message } : { code: e.code, message, details }
}

/**
 * A JSON.parse failure without the text V8 quotes from the input (it may be any file's line):
 * only where it failed.
 */
export function jsonErrorWhere(err: unknown): string {
  const m =
    err instanceof Error
      ? /at position (\d+)(?: \(line (\d+) column (\d+)\))?/.exec(err.message)
      : null
  if (!m)
    return err instanceof Error && /end of (JSON|data) input/i.test(err.message)
      ? 'it ends too early'
      : 'it is not JSON'
  return m[2] ? `error at line ${m[2]}, column ${m[3]}` : `error at character ${Number(m[1]) + 1}`
}
