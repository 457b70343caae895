/**
 * Browser-mode access control: a random token (printed URL → HttpOnly cookie, or a bearer
 * header), a Host allow-list against DNS rebinding, and an Origin check on state-changing
 * requests. Pure functions over header values so they are testable without a socket.
 */
import crypto from 'node:crypto'
import net from 'node:net'

export function newToken(): string {
  return crypto.randomBytes(32).toString('base64url')
}

/** Constant-time comparison (hashing first so lengths never leak through timing). */
export function tokenEquals(given: string | null | undefined, token: string): boolean {
  if (typeof given !== 'string' || given.length === 0 || given.length > 1024) return false
  const a = crypto.createHash('sha256').update(given).digest()
  const b = crypto.createHash('sha256').update(token).digest()
  return crypto.timingSafeEqual(a, b)
}

/** Cookies are not port-scoped, so the name carries the port: two servers never clash. */
export function cookieName(port: number): string {
  return `glossa_token_${port}`
}

export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    if (part.slice(0, eq).trim() === name) {
      const v = part.slice(eq + 1).trim()
      try {
        return decodeURIComponent(v)
      } catch {
        return null
      }
    }
  }
  return null
}

export function sessionCookie(port: number, token: string): string {
  return `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`
}

export function bearer(header: string | undefined): string | null {
  if (!header) return null
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header)
  return m ? (m[1] ?? null) : null
}

export function isAuthorized(
  headers: { cookie?: string; authorization?: string },
  port: number,
  token: string
): boolean {
  return (
    tokenEquals(readCookie(headers.cookie, cookieName(port)), token) ||
    tokenEquals(bearer(headers.authorization), token)
  )
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase()
  return h === 'localhost' || h === '::1' || h.startsWith('127.') || h === '::ffff:127.0.0.1'
}

export function isWildcard(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '')
  return h === '0.0.0.0' || h === '::' || h === ''
}

function formatHostPort(host: string, port: number): string {
  const h = host.replace(/^\[|\]$/g, '')
  return net.isIPv6(h) ? `[${h}]:${port}` : `${h}:${port}`
}

/**
 * Which Host headers are accepted. Loopback names always; the bound host when it is specific.
 * When bound to a wildcard address any IP literal is accepted (DNS rebinding needs a name, and
 * the token is still required), but never a DNS name other than localhost.
 */
export function isAllowedHost(
  hostHeader: string | undefined,
  boundHost: string,
  port: number
): boolean {
  if (!hostHeader) return false
  const host = hostHeader.trim().toLowerCase()
  const allowed = new Set([
    `127.0.0.1:${port}`,
    `localhost:${port}`,
    `[::1]:${port}`,
    formatHostPort(boundHost.toLowerCase(), port)
  ])
  if (allowed.has(host)) return true
  if (isWildcard(boundHost)) {
    const m = /^(\[[0-9a-f:.]+\]|[0-9.]+):(\d+)$/.exec(host)
    if (m && Number(m[2]) === port && net.isIP(m[1]!.replace(/^\[|\]$/g, '')) !== 0) return true
  }
  return false
}

/** A request may carry no Origin (same-origin GET, curl) or exactly our own origin. */
export function isAllowedOrigin(originHeader: string | undefined, hostHeader: string): boolean {
  if (originHeader === undefined) return true
  return originHeader.toLowerCase() === `http://${hostHeader.trim().toLowerCase()}`
}

export function isJsonContentType(ct: string | undefined): boolean {
  if (!ct) return false
  return ct.split(';')[0]!.trim().toLowerCase() === 'application/json'
}
