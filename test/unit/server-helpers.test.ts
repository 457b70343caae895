/** Pure rules behind browser mode and the protocol: ranges, hosts, origins, tokens, data dirs. */
import { describe, expect, it } from 'vitest'
import {
  bearer,
  cookieName,
  isAllowedHost,
  isAllowedOrigin,
  isAuthorized,
  isJsonContentType,
  newToken,
  readCookie,
  sessionCookie,
  tokenEquals
} from '../../src-main/server/auth'
import { parseMediaPath, parseRange, planFile } from '../../src-main/serving/files'
import { defaultDataDir } from '../../src-main/shared/paths'

describe('Range parsing', () => {
  it.each([
    ['bytes=0-9', 100, { start: 0, end: 9 }],
    ['bytes=90-', 100, { start: 90, end: 99 }],
    ['bytes=-10', 100, { start: 90, end: 99 }],
    ['bytes=-500', 100, { start: 0, end: 99 }],
    ['bytes=50-5000', 100, { start: 50, end: 99 }],
    ['bytes=100-', 100, 'unsatisfiable'],
    ['bytes=-0', 100, 'unsatisfiable'],
    ['bytes=9-0', 100, null],
    ['bytes=0-1,5-6', 100, null],
    ['items=0-9', 100, null],
    ['bytes=abc', 100, null],
    [undefined, 100, null]
  ] as const)('%s of %d bytes → %j', (h, size, want) => {
    expect(parseRange(h, size)).toEqual(want)
  })

  it('plans 206 with Content-Range and Content-Length', () => {
    const p = planFile(
      { size: 100, mtimeMs: 1, mime: 'image/png', cacheControl: 'x' },
      { range: 'bytes=10-19' }
    )
    expect(p.status).toBe(206)
    expect(p.headers['content-range']).toBe('bytes 10-19/100')
    expect(p.headers['content-length']).toBe('10')
    expect(p.range).toEqual({ start: 10, end: 19 })
  })
})

describe('media paths', () => {
  it('accepts only /media/<variant>/<positive id>', () => {
    expect(parseMediaPath('/media/thumb/12')).toEqual({ variant: 'thumb', id: 12 })
    expect(parseMediaPath('/media/preview/1')).toEqual({ variant: 'preview', id: 1 })
    for (const bad of [
      '/media/thumb/0',
      '/media/thumb/12/',
      '/media/full/%31',
      '/media/raw/1',
      '/media/full/1e3',
      '/media/full/99999999999999999'
    ]) {
      expect(parseMediaPath(bad)).toBeNull()
    }
  })
})

describe('browser-mode access rules', () => {
  it('makes long random tokens and compares them exactly', () => {
    const a = newToken()
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(newToken()).not.toBe(a)
    expect(tokenEquals(a, a)).toBe(true)
    expect(tokenEquals(a.slice(0, -1), a)).toBe(false)
    expect(tokenEquals('', a)).toBe(false)
    expect(tokenEquals(null, a)).toBe(false)
  })

  it('reads the token from its port-scoped cookie or a bearer header', () => {
    const tok = newToken()
    expect(sessionCookie(4000, tok)).toBe(
      `glossa_token_4000=${tok}; HttpOnly; SameSite=Strict; Path=/`
    )
    expect(readCookie(`a=1; ${cookieName(4000)}=${tok}; b=2`, cookieName(4000))).toBe(tok)
    expect(isAuthorized({ cookie: `${cookieName(4000)}=${tok}` }, 4000, tok)).toBe(true)
    expect(isAuthorized({ cookie: `${cookieName(4001)}=${tok}` }, 4000, tok)).toBe(false)
    expect(bearer(`Bearer ${tok}`)).toBe(tok)
    expect(isAuthorized({ authorization: `Bearer ${tok}` }, 4000, tok)).toBe(true)
    expect(isAuthorized({ authorization: `Basic ${tok}` }, 4000, tok)).toBe(false)
    expect(isAuthorized({}, 4000, tok)).toBe(false)
  })

  it('accepts loopback Host headers on our port only', () => {
    for (const h of ['127.0.0.1:4000', 'localhost:4000', '[::1]:4000', 'LOCALHOST:4000']) {
      expect(isAllowedHost(h, '127.0.0.1', 4000)).toBe(true)
    }
    for (const h of [
      'evil.example:4000',
      '127.0.0.1:4001',
      '127.0.0.1',
      'localhost',
      undefined,
      'rebind.127.0.0.1.nip.io:4000'
    ]) {
      expect(isAllowedHost(h, '127.0.0.1', 4000)).toBe(false)
    }
    expect(isAllowedHost('10.0.0.5:4000', '10.0.0.5', 4000)).toBe(true)
    expect(isAllowedHost('10.0.0.6:4000', '10.0.0.5', 4000)).toBe(false)
    // a wildcard bind accepts IP literals (no DNS name, so no rebinding) but not names
    expect(isAllowedHost('192.168.1.20:4000', '0.0.0.0', 4000)).toBe(true)
    expect(isAllowedHost('gpu-box.example:4000', '0.0.0.0', 4000)).toBe(false)
  })

  it('accepts no Origin or our own, nothing else', () => {
    expect(isAllowedOrigin(undefined, '127.0.0.1:4000')).toBe(true)
    expect(isAllowedOrigin('http://127.0.0.1:4000', '127.0.0.1:4000')).toBe(true)
    expect(isAllowedOrigin('http://evil.example', '127.0.0.1:4000')).toBe(false)
    expect(isAllowedOrigin('null', '127.0.0.1:4000')).toBe(false)
    expect(isAllowedOrigin('http://localhost:4000', '127.0.0.1:4000')).toBe(false)
  })

  it('recognises JSON content types only', () => {
    expect(isJsonContentType('application/json')).toBe(true)
    expect(isJsonContentType('application/json; charset=utf-8')).toBe(true)
    expect(isJsonContentType('text/plain')).toBe(false)
    expect(isJsonContentType('application/x-www-form-urlencoded')).toBe(false)
    expect(isJsonContentType(undefined)).toBe(false)
  })
})

describe('default data folder', () => {
  it.each([
    ['linux', {}, '/home/mei', '/home/mei/.local/share/glossa'],
    ['linux', { XDG_DATA_HOME: '/data/xdg' }, '/home/mei', '/data/xdg/glossa'],
    ['linux', { XDG_DATA_HOME: 'relative/ignored' }, '/home/mei', '/home/mei/.local/share/glossa'],
    ['freebsd', {}, '/home/mei/', '/home/mei/.local/share/glossa'],
    ['darwin', {}, '/Users/mei', '/Users/mei/Library/Application Support/glossa'],
    [
      'win32',
      { APPDATA: 'C:\\Users\\mei\\AppData\\Roaming' },
      'C:\\Users\\mei',
      'C:\\Users\\mei\\AppData\\Roaming\\glossa'
    ],
    ['win32', {}, 'C:\\Users\\mei', 'C:\\Users\\mei\\AppData\\Roaming\\glossa'],
    ['linux', { GLOSSA_DATA_DIR: '/srv/glossa' }, '/home/mei', '/srv/glossa']
  ] as const)('%s %j → %s', (platform, env, home, want) => {
    expect(defaultDataDir({ platform, env, home })).toBe(want)
  })
})
