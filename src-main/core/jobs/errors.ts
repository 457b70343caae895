/**
 * Errors in words: the reason a job (or one of its items) failed, as a sentence a user can act
 * on. System error codes (ENOSPC, ENOTFOUND, …) become what they mean; the code stays in
 * brackets for a bug report. Messages that are already sentences pass through unchanged.
 */

const BY_CODE: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the disk is read-only',
  ENOENT: 'file or folder not found',
  EMFILE: 'too many open files',
  ENOTFOUND: 'the server name could not be resolved (offline, or a wrong address)',
  EAI_AGAIN: 'the server name could not be resolved (offline?)',
  ECONNREFUSED: 'the server refused the connection',
  ECONNRESET: 'the connection was reset',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'the server cannot be reached (offline?)',
  ENETUNREACH: 'the network cannot be reached (offline?)',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
  UND_ERR_SOCKET: 'the connection was closed by the server'
}

function codeOf(err: unknown): string | undefined {
  let e: unknown = err
  // fetch() wraps the system error: TypeError('fetch failed', { cause })
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    const c = (e as { code?: unknown }).code
    if (typeof c === 'string' && c in BY_CODE) return c
    e = (e as { cause?: unknown }).cause
  }
  return undefined
}

/** The reason, in words, with the system code when there was one. */
export function describeError(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err)
  const code = codeOf(err)
  if (!code) return msg
  const words = BY_CODE[code]!
  // "fetch failed" and bare "ENOSPC: no space left on device, write" say less than the words
  const bare = /^(fetch failed|[A-Z_]+:|[A-Z_]+$)/.test(msg)
  return bare ? `${words} (${code})` : `${msg}: ${words} (${code})`
}
