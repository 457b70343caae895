/**
 * A library is recognised before it is touched (issue 11): another program's SQLite file, a
 * zero-byte file, a file that is not SQLite and a damaged library are refused with their own
 * code, naming the file, and each is left byte for byte as it was — no `-wal`/`-shm` beside it
 * either; the same through createCore (every command and the app open through it). New
 * libraries carry Glossa's application_id; a library from before that is recognised by its
 * tables and stamped; an empty SQLite file (a create that crashed) becomes a library. Read-only
 * opens never write, not even on close, and refuse writes with READ_ONLY.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  closeDatabase,
  migrate,
  openDatabase,
  recogniseLibrary,
  registerFunctions
} from '../../src-main/core/db/open'
import { GLOSSA_APPLICATION_ID, LEGACY_MAX_VERSION } from '../../src-main/core/db/identity'
import { MIGRATIONS, SCHEMA_VERSION } from '../../src-main/core/db/migrations'
import { createCore } from '../../src-main/core'
import { GlossaError } from '../../src-main/shared/errors'
import { seedLibrary } from './helpers'

let dir: string
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glossa-open-'))
})
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true })
})

const sha = (file: string) =>
  crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')

function errorOf(fn: () => unknown): GlossaError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(GlossaError)
    return err as GlossaError
  }
  throw new Error('expected an error')
}

/** Asserts that every way of opening refuses `file` with `code`, leaving it as it was. */
function refusedUntouched(file: string, code: string): GlossaError {
  const before = sha(file)
  const mtime = fs.statSync(file).mtimeMs
  const siblings = fs.readdirSync(dir).sort()
  const e1 = errorOf(() => openDatabase(file))
  const e2 = errorOf(() => openDatabase(file, { readonly: true }))
  const e3 = errorOf(() => createCore({ dataDir: dir, libraryFile: file }))
  const e4 = errorOf(() => createCore({ dataDir: dir, libraryFile: file, readonly: true }))
  for (const e of [e1, e2, e3, e4]) {
    expect(e.code).toBe(code)
    expect(e.message).toContain(file)
  }
  expect(sha(file)).toBe(before)
  expect(fs.statSync(file).mtimeMs).toBe(mtime)
  expect(fs.readdirSync(dir).sort()).toEqual(siblings) // no -wal, -shm or -journal left
  return e1
}

function glossaLibrary(file: string, images = 200): void {
  const db = openDatabase(file)
  seedLibrary(db, { datasets: 1, imagesPerDataset: images, seed: 3 })
  db.pragma('journal_mode = DELETE') // everything in the main file, no log beside it
  closeDatabase(db)
}

describe('a file that is not a Glossa library', () => {
  it('another application’s SQLite database (with its own tables) is refused untouched', () => {
    const file = path.join(dir, 'notes.db')
    const db = new Database(file)
    db.exec(
      `CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('keep me')`
    )
    db.pragma('user_version = 9') // the version number alone must not fool the check
    db.close()
    const e = refusedUntouched(file, 'NOT_A_LIBRARY')
    expect(e.message).toMatch(/another application/)
  })

  it('a WAL-mode database of another application (application_id set) is refused untouched', () => {
    const file = path.join(dir, 'other.db')
    const db = new Database(file)
    db.pragma('journal_mode = WAL')
    db.pragma('application_id = 1234')
    db.exec('CREATE TABLE t (x)')
    db.close()
    expect(fs.existsSync(`${file}-wal`)).toBe(false)
    refusedUntouched(file, 'NOT_A_LIBRARY')
  })

  it('a zero-byte file is refused untouched (it does not silently become a library)', () => {
    const file = path.join(dir, 'empty.sqlite')
    fs.writeFileSync(file, '')
    const e = refusedUntouched(file, 'NOT_A_LIBRARY')
    expect(e.message).toMatch(/empty/)
    expect(fs.statSync(file).size).toBe(0)
  })

  it('a text file is refused untouched, without quoting it', () => {
    const file = path.join(dir, 'passwd')
    fs.writeFileSync(file, 'root:x:0:0:root:/root:/bin/bash\n'.repeat(10))
    const e = refusedUntouched(file, 'NOT_A_LIBRARY')
    expect(e.message).not.toContain('root:x')
  })
})

describe('a damaged library', () => {
  it('damage to its schema is refused as LIBRARY_CORRUPT and left byte for byte as it was', () => {
    const file = path.join(dir, 'library.sqlite')
    glossaLibrary(file)
    // page 1 past the 100-byte file header: the root of sqlite_schema
    const buf = fs.readFileSync(file)
    crypto.randomFillSync(buf, 100, buf.readUInt16BE(16) - 100)
    fs.writeFileSync(file, buf)
    const e = refusedUntouched(file, 'LIBRARY_CORRUPT')
    expect(e.message).toMatch(/damaged/)
  })

  it('damage to the tables an open writes (jobs) is found before anything is written', () => {
    const file = path.join(dir, 'library.sqlite')
    glossaLibrary(file)
    const db = new Database(file, { readonly: true })
    const root = (
      db.prepare(`SELECT rootpage FROM sqlite_schema WHERE name = 'jobs'`).get() as {
        rootpage: number
      }
    ).rootpage
    db.close()
    const buf = fs.readFileSync(file)
    const pageSize = buf.readUInt16BE(16)
    buf.fill(0xff, (root - 1) * pageSize, root * pageSize)
    fs.writeFileSync(file, buf)
    const before = sha(file)
    for (const open of [
      () => openDatabase(file),
      () => createCore({ dataDir: dir, libraryFile: file })
    ]) {
      const e = errorOf(open)
      expect(e.code).toBe('LIBRARY_CORRUPT')
      expect(e.message).toContain(file)
    }
    expect(sha(file)).toBe(before)
  })

  it('damage found while working turns the session read-only: later writes are refused', async () => {
    const file = path.join(dir, 'library.sqlite')
    const lib = openDatabase(file)
    seedLibrary(lib, { datasets: 1, imagesPerDataset: 3000, seed: 3 })
    lib.pragma('wal_checkpoint(TRUNCATE)') // a WAL library, all of it in the main file
    // The pages of the images and captions tables (and their indexes), found by SQLite's own
    // page map; the schema and the tables an open writes (jobs, leases) stay readable, so the
    // damage is met while working, not at open, whatever the page layout on this machine.
    const damaged = (
      lib
        .prepare(
          `SELECT d.pageno FROM dbstat d JOIN sqlite_schema s ON s.name = d.name
           WHERE s.tbl_name IN ('images', 'captions') AND d.pagetype = 'leaf'`
        )
        .all() as { pageno: number }[]
    ).map((r) => r.pageno)
    closeDatabase(lib)
    expect(damaged.length).toBeGreaterThan(20)
    const buf = fs.readFileSync(file)
    const pageSize = buf.readUInt16BE(16)
    for (const p of damaged) buf.fill(0xa5, (p - 1) * pageSize + 8, p * pageSize)
    fs.writeFileSync(file, buf)
    const before = sha(file)
    const core = createCore({ dataDir: dir, libraryFile: file })
    let code: string | null = null
    try {
      for (let page = 0; page < 200 && !code; page++)
        await core.call('images.page', {
          limit: 500,
          withTotal: true,
          filter: { search: `猫${page}` }
        })
      const list = await core.call('datasets.list', {})
      void list
    } catch (err) {
      code = (err as GlossaError).code
    }
    expect(code).toBe('LIBRARY_CORRUPT')
    const write = await core.call('datasets.create', { name: 'new' }).catch((e: GlossaError) => e)
    expect((write as GlossaError).code).toBe('LIBRARY_CORRUPT')
    await core.close()
    expect(sha(file)).toBe(before)
  })
})

describe('a Glossa library', () => {
  it('new libraries carry the application id; the header alone tells what the file is', () => {
    const file = path.join(dir, 'library.sqlite')
    closeDatabase(openDatabase(file))
    const db = new Database(file, { readonly: true })
    expect(db.pragma('application_id', { simple: true })).toBe(GLOSSA_APPLICATION_ID)
    db.close()
    expect(recogniseLibrary(file)).toEqual({ kind: 'library', version: SCHEMA_VERSION })
  })

  it('a library from before the application id is recognised by its tables and stamped', () => {
    const file = path.join(dir, 'library.sqlite')
    const db = new Database(file)
    registerFunctions(db)
    migrate(
      db,
      MIGRATIONS.filter((m) => m.version <= LEGACY_MAX_VERSION)
    )
    seedLibrary(db, { datasets: 1, imagesPerDataset: 200, seed: 3 })
    db.close()
    expect(recogniseLibrary(file)).toEqual({ kind: 'library', version: LEGACY_MAX_VERSION })
    const opened = openDatabase(file)
    expect(opened.pragma('application_id', { simple: true })).toBe(GLOSSA_APPLICATION_ID)
    expect(opened.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
    expect((opened.prepare('SELECT count(*) AS n FROM images').get() as { n: number }).n).toBe(200)
    closeDatabase(opened)
  })

  it('an empty SQLite file (a create that crashed before its first commit) becomes a library', () => {
    const file = path.join(dir, 'library.sqlite')
    const db = new Database(file)
    db.pragma('journal_mode = WAL')
    db.close()
    expect(recogniseLibrary(file)).toEqual({ kind: 'empty' })
    const opened = openDatabase(file)
    expect(opened.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
    closeDatabase(opened)
  })

  it('DB_TOO_NEW on a WAL library leaves no -wal or -shm behind', () => {
    const file = path.join(dir, 'library.sqlite')
    const db = openDatabase(file)
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`)
    closeDatabase(db)
    expect(fs.existsSync(`${file}-wal`)).toBe(false)
    refusedUntouched(file, 'DB_TOO_NEW')
  })

  it('read-only opens write nothing, not even on close, and refuse writes with READ_ONLY', async () => {
    const file = path.join(dir, 'library.sqlite')
    glossaLibrary(file)
    const before = sha(file)
    const core = createCore({ dataDir: dir, libraryFile: file, readonly: true })
    expect((await core.call('datasets.list', {})).length).toBe(1)
    const err = await core.call('datasets.create', { name: 'x' }).catch((e: GlossaError) => e)
    expect((err as GlossaError).code).toBe('READ_ONLY')
    expect((err as GlossaError).message).toContain(file)
    await core.close()
    expect(sha(file)).toBe(before)
    expect(fs.existsSync(`${file}-wal`)).toBe(false)
  })
})
