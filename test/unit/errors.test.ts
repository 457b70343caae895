/**
 * Errors that cross the boundary (issue 11, item 7): SQLite and Node error codes map to the
 * documented set with a message naming the file; nothing undocumented escapes; messages and
 * details are bounded; and no message quotes a line of an arbitrary file (a glossary import of
 * /etc/passwd used to print its first line).
 */
import { describe, expect, it } from 'vitest'
import { ERROR_CODES } from '../../src-main/shared/api'
import {
  GlossaError,
  MAX_MESSAGE_CHARS,
  isApiError,
  jsonErrorWhere,
  toApiError
} from '../../src-main/shared/errors'
import { importGlossaryCsv } from '../../src-main/core/glossary/csv'
import { importGlossaryJson } from '../../src-main/core/glossary/io'

const sqlite = (code: string, message: string) => Object.assign(new Error(message), { code })
const LIB = '/home/u/Glossa/library.sqlite'

describe('error codes', () => {
  it('maps SQLite errors to documented codes naming the library', () => {
    const cases: [string, string][] = [
      ['SQLITE_CORRUPT', 'LIBRARY_CORRUPT'],
      ['SQLITE_CORRUPT_INDEX', 'LIBRARY_CORRUPT'],
      ['SQLITE_NOTADB', 'LIBRARY_CORRUPT'],
      ['SQLITE_BUSY', 'BUSY'],
      ['SQLITE_LOCKED', 'BUSY'],
      ['SQLITE_READONLY', 'READ_ONLY'],
      ['SQLITE_READONLY_DBMOVED', 'READ_ONLY'],
      ['SQLITE_FULL', 'DISK_FULL'],
      ['SQLITE_IOERR_WRITE', 'IO_ERROR'],
      ['SQLITE_TOOBIG', 'TOO_LARGE']
    ]
    for (const [code, expected] of cases) {
      const e = toApiError(sqlite(code, 'database disk image is malformed'), { file: LIB })
      expect(e.code, code).toBe(expected)
      expect(e.message, code).toContain(LIB)
    }
  })

  it('maps Node errors, naming the path or the address', () => {
    const full = toApiError(
      Object.assign(new Error('ENOSPC'), { code: 'ENOSPC', path: '/mnt/out/a.txt' })
    )
    expect(full).toMatchObject({ code: 'DISK_FULL' })
    expect(full.message).toContain('/mnt/out/a.txt')
    const addr = toApiError(
      Object.assign(new Error('listen EADDRNOTAVAIL'), {
        code: 'EADDRNOTAVAIL',
        address: '192.0.2.7',
        port: 8080
      })
    )
    expect(addr.code).toBe('INVALID_ARGS')
    expect(addr.message).toContain('192.0.2.7')
    const nul = toApiError(
      Object.assign(new TypeError("path must be without null bytes. Received '/etc/\\x00shadow'"), {
        code: 'ERR_INVALID_ARG_VALUE'
      })
    )
    expect(nul.code).toBe('INVALID_ARGS')
    expect(nul.message).not.toContain('shadow')
    expect(toApiError(new RangeError('Invalid string length')).code).toBe('TOO_LARGE')
  })

  it('lets no undocumented code escape', () => {
    const codes = new Set<string>(ERROR_CODES)
    for (const err of [
      sqlite('SQLITE_ERROR', 'x'),
      sqlite('ENOTSUP', 'x'),
      { code: 'WEIRD', message: 'm' }
    ]) {
      expect(isApiError(err)).toBe(false)
      expect(codes.has(toApiError(err).code)).toBe(true)
    }
  })

  it('bounds messages and details', () => {
    const e = toApiError(
      new GlossaError(
        'INVALID_ARGS',
        'x'.repeat(100_000),
        Array(5000).fill({ path: ['a'], message: 'b' })
      )
    )
    expect(e.message.length).toBeLessThan(MAX_MESSAGE_CHARS + 100)
    expect(e.message).toMatch(/more characters/)
    expect(JSON.stringify(e.details).length).toBeLessThan(16 * 1024)
  })
})

describe('messages never quote a file’s lines', () => {
  const passwd =
    'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n'

  it('a JSON parse failure says where, not what', () => {
    let err: unknown
    try {
      JSON.parse(passwd)
    } catch (e) {
      err = e
    }
    expect(jsonErrorWhere(err)).not.toContain('root')
    expect(() => importGlossaryJson(passwd, '/etc/passwd')).toThrow(/\/etc\/passwd: not valid JSON/)
    try {
      importGlossaryJson(passwd, '/etc/passwd')
    } catch (e) {
      expect((e as Error).message).not.toContain('root:x')
    }
  })

  it('a CSV with a foreign header names the cell, not its content', () => {
    try {
      importGlossaryCsv(passwd, '/etc/passwd')
      expect.unreachable()
    } catch (e) {
      expect((e as Error).message).toMatch(/\/etc\/passwd: unknown column \(header cell 1/)
      expect((e as Error).message).not.toContain('root')
    }
  })
})
