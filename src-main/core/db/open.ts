/**
 * Opening a library file. A file is RECOGNISED before anything touches it:
 *
 *  - no file: a new library is created (unless the caller only reads);
 *  - a zero-byte file, a file that is not SQLite, or another program's SQLite file (another
 *    `application_id`, or tables that are not Glossa's): NOT_A_LIBRARY, the file left
 *    byte-for-byte as it was (it is read, never opened for writing);
 *  - a Glossa library from a newer build: DB_TOO_NEW, decided from the header bytes alone so not
 *    even `-wal`/`-shm` files appear;
 *  - a damaged file (SQLite reports SQLITE_CORRUPT / SQLITE_NOTADB while reading its header and
 *    schema): LIBRARY_CORRUPT with the first problems `PRAGMA quick_check` reports, found on a
 *    read-only connection; nothing is written.
 *
 * A Glossa library carries `PRAGMA application_id = GLOSSA_APPLICATION_ID` (set by migration
 * 0010). Libraries made before that have application_id 0, a schema version up to
 * LEGACY_MAX_VERSION and Glossa's tables; they are recognised by those and stamped when migrated.
 * An empty SQLite database (no schema at all, e.g. a create that crashed before its first commit)
 * counts as a new library.
 *
 * Read-only opens (`readonly: true`, the CLI's read commands) never write: no migration, no
 * `PRAGMA optimize`, `query_only` on. The file is opened read-write when the OS allows (so SQLite
 * can tidy its `-wal`/`-shm` files on close) and read-only otherwise. A library older than this
 * build is upgraded first by a separate short read-write open; if that is impossible the error
 * says so (READ_ONLY).
 */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import type { Database as Db } from 'better-sqlite3'
import type { ReadableDB, WritableDB } from './types'
import { GlossaError, toApiError } from '../../shared/errors'
import { MIGRATIONS, SCHEMA_VERSION, type Migration } from './migrations'
import { GLOSSA_APPLICATION_ID, LEGACY_MAX_VERSION } from './identity'
import { cjkGrams } from '../captions/text/cjk'
import { registerTextMetrics } from '../review/text-metrics'

export { GLOSSA_APPLICATION_ID, LEGACY_MAX_VERSION }
/** Tables every Glossa library has had since schema 1 (how a legacy library is recognised). */
const CORE_TABLES = ['datasets', 'images', 'captions', 'jobs', 'journal_batches']
const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1')

export interface OpenOptions {
  /** Path of a better_sqlite3.node built for the running ABI (Electron); see README. */
  nativeBinding?: string
  /** read only: never create, migrate or write (the CLI's read commands) */
  readonly?: boolean
}

/** Registers the SQL functions the schema's triggers use. Must run before any write. */
export function registerFunctions(db: Db): void {
  db.function('glossa_cjk', { deterministic: true }, (text: unknown) =>
    typeof text === 'string' ? cjkGrams(text) : ''
  )
  registerTextMetrics(db)
}

export type Recognised =
  /** no file: a library would be created */
  | { kind: 'new' }
  /** an SQLite database without any schema: initialised as a new library */
  | { kind: 'empty' }
  | { kind: 'library'; version: number }

function notALibrary(
  file: string,
  reason: string,
  details: Record<string, unknown> = {}
): GlossaError {
  return new GlossaError(
    'NOT_A_LIBRARY',
    `${file}: ${reason}, so it is not a Glossa library. It was left exactly as it was; choose another file, or a new name to create a library.`,
    { file, ...details }
  )
}

function tooNew(file: string, v: number): GlossaError {
  return new GlossaError(
    'DB_TOO_NEW',
    `${file}: this library was written by a newer Glossa (schema ${v}; this build knows up to ${SCHEMA_VERSION}). Update Glossa to open it; the file was not changed.`,
    { file, fileVersion: v, appVersion: SCHEMA_VERSION }
  )
}

function readHeader(file: string): Buffer {
  const fd = fs.openSync(file, 'r')
  try {
    const buf = Buffer.alloc(112)
    const n = fs.readSync(fd, buf, 0, buf.length, 0)
    return buf.subarray(0, n)
  } finally {
    fs.closeSync(fd)
  }
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size
  } catch {
    return 0
  }
}

/** Decides from what is stored (application id, schema version, tables) what the file is. */
function judge(
  file: string,
  appId: number,
  version: number,
  tables: (() => string[]) | null
): Recognised {
  if (appId === GLOSSA_APPLICATION_ID) {
    if (version > SCHEMA_VERSION) throw tooNew(file, version)
    return { kind: 'library', version }
  }
  if (appId !== 0)
    throw notALibrary(
      file,
      `it is a database of another application (application_id 0x${(appId >>> 0).toString(16)})`,
      {
        applicationId: appId
      }
    )
  if (!tables) return { kind: 'library', version } // decided by the caller after opening
  const names = tables()
  if (version === 0 && names.length === 0) return { kind: 'empty' }
  const missing = CORE_TABLES.filter((t) => !names.includes(t))
  if (version >= 1 && version <= LEGACY_MAX_VERSION && missing.length === 0)
    return { kind: 'library', version }
  throw notALibrary(
    file,
    `it is an SQLite database of another application (${names.length} tables, none of them Glossa's library)`,
    {
      tables: names.length,
      userVersion: version
    }
  )
}

/**
 * What `file` is, decided without writing anything (see the module comment). Throws
 * NOT_A_LIBRARY, DB_TOO_NEW or LIBRARY_CORRUPT.
 */
export function recogniseLibrary(file: string, opts: OpenOptions = {}): Recognised {
  if (!fs.existsSync(file)) return { kind: 'new' }
  const st = fs.statSync(file)
  if (!st.isFile()) throw notALibrary(file, 'it is not a regular file')
  const walLive = fileSize(`${file}-wal`) > 0
  if (!walLive) {
    // With no write-ahead log the main file's header is authoritative: decide from its bytes.
    if (st.size === 0) throw notALibrary(file, 'it is an empty (zero-byte) file')
    const h = readHeader(file)
    if (h.length < 100 || !h.subarray(0, 16).equals(SQLITE_MAGIC))
      throw notALibrary(file, 'it is not an SQLite database')
    const version = h.readUInt32BE(60)
    const appId = h.readInt32BE(68)
    const schemaCells = h.length >= 105 && h[100] === 0x0d ? h.readUInt16BE(103) : -1
    if (appId === 0 && version === 0 && schemaCells === 0) return { kind: 'empty' }
    if (appId !== 0 || version > LEGACY_MAX_VERSION) return judge(file, appId, version, () => [])
  }
  // A legacy library, or a live write-ahead log whose content the header does not show yet:
  // ask SQLite, on a read-only connection.
  return probe(file, opts, (db) => {
    const version = db.pragma('user_version', { simple: true }) as number
    const appId = db.pragma('application_id', { simple: true }) as number
    return judge(file, appId, version, () =>
      (
        db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table'`).all() as {
          name: string
        }[]
      ).map((r) => r.name)
    )
  })
}

/**
 * Runs `fn` on a read-only connection. `-wal`/`-shm` files that this connection had to create
 * (and that nobody else uses: the log is still empty) are removed again afterwards, so a refused
 * file is left as it was found. SQLITE_CORRUPT / SQLITE_NOTADB become LIBRARY_CORRUPT.
 */
function probe<T>(file: string, opts: OpenOptions, fn: (db: Db) => T): T {
  const hadWal = fs.existsSync(`${file}-wal`)
  const hadShm = fs.existsSync(`${file}-shm`)
  let db: Db | null = null
  try {
    db = new Database(file, {
      readonly: true,
      fileMustExist: true,
      ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {})
    })
    return fn(db)
  } catch (err) {
    throw corruptOr(err, file, db)
  } finally {
    db?.close()
    if (!hadWal && !hadShm && fileSize(`${file}-wal`) === 0) {
      fs.rmSync(`${file}-wal`, { force: true })
      fs.rmSync(`${file}-shm`, { force: true })
    }
  }
}

/** The problems `PRAGMA quick_check` finds (at most `max`), on a read-only connection. */
export function diagnose(db: Db, max = 10): string[] {
  try {
    const rows = db.pragma(`quick_check(${max})`) as { quick_check: string }[]
    return rows.map((r) => r.quick_check).filter((r) => r !== 'ok')
  } catch (err) {
    return [err instanceof Error ? err.message : String(err)]
  }
}

/** SQLite's corruption codes as LIBRARY_CORRUPT naming the file (with a diagnosis when possible). */
function corruptOr(err: unknown, file: string, db: Db | null): unknown {
  if (err instanceof GlossaError) return err
  const code = (err as { code?: unknown }).code
  if (code === 'SQLITE_NOTADB')
    return notALibrary(file, 'it is not an SQLite database (or its header is damaged)')
  if (typeof code === 'string' && code.startsWith('SQLITE_CORRUPT')) {
    const problems = db?.open ? diagnose(db) : []
    return new GlossaError(
      'LIBRARY_CORRUPT',
      `${file}: the library file is damaged (${problems[0] ?? (err as Error).message}). It was opened read-only and nothing was written; restore a backup (Glossa keeps them in the "backups" folder beside the library) or open a copy.`,
      { file, problems }
    )
  }
  return err
}

function baseOptions(opts: OpenOptions): Database.Options {
  return opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}
}

/**
 * Opens a library file. Read-write (default): creates a new library or migrates an older one in
 * one transaction. Read-only: see the module comment. Throws NOT_A_LIBRARY, DB_TOO_NEW,
 * LIBRARY_CORRUPT, NOT_FOUND (read-only, no library there) or READ_ONLY.
 */
export function openDatabase(file: string, opts: OpenOptions & { readonly: true }): ReadableDB
/** With `readonly` decided at run time (a read-only session of the core), the connection refuses
 *  writes itself (query_only; SQLite's READONLY error becomes READ_ONLY). */
export function openDatabase(file: string, opts?: OpenOptions): WritableDB
export function openDatabase(file: string, opts: OpenOptions = {}): ReadableDB {
  if (file === ':memory:') {
    const db = new Database(file, baseOptions(opts))
    registerFunctions(db)
    db.pragma('foreign_keys = ON')
    migrate(db)
    return db as WritableDB
  }
  const seen = recogniseLibrary(file, opts)
  if (opts.readonly) {
    if (seen.kind !== 'library')
      throw new GlossaError('NOT_FOUND', `${file}: there is no library there yet`, { file })
    if (seen.version < SCHEMA_VERSION) upgradeFirst(file, seen.version, opts)
    return openReadOnly(file, opts)
  }
  fs.mkdirSync(path.dirname(file), { recursive: true })
  const db = new Database(file, baseOptions(opts))
  try {
    registerFunctions(db)
    // Read the schema before any write, so damage found here leaves the file as it was.
    db.prepare('SELECT count(*) FROM sqlite_schema').get()
    // the same judgement on what this connection sees (the header may lag a live log)
    judge(
      file,
      db.pragma('application_id', { simple: true }) as number,
      db.pragma('user_version', { simple: true }) as number,
      () =>
        (
          db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table'`).all() as {
            name: string
          }[]
        ).map((r) => r.name)
    )
    checkWrittenOnOpen(db, file)
    db.pragma('busy_timeout = 5000')
    if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    db.pragma('foreign_keys = ON')
    migrate(db)
    return db as WritableDB
  } catch (err) {
    const mapped = corruptOr(err, file, db)
    db.close()
    throw mapped
  }
}

/**
 * A second read-write connection to a library this process has already opened with
 * openDatabase (so it was recognised, checked and migrated): the SQL functions the triggers use
 * and the same pragmas, without the checks (a worker thread that only writes, e.g. the import's
 * batch writer). SQLite serialises its writes with the other connection's (busy_timeout).
 */
export function openSecondConnection(file: string, opts: OpenOptions = {}): WritableDB {
  const db = new Database(file, { ...baseOptions(opts), fileMustExist: true })
  try {
    registerFunctions(db)
    db.pragma('busy_timeout = 5000')
    db.pragma('synchronous = NORMAL')
    db.pragma('foreign_keys = ON')
    const version = db.pragma('user_version', { simple: true }) as number
    if (version !== SCHEMA_VERSION)
      throw new GlossaError(
        'INTERNAL',
        `${file}: schema ${version} where ${SCHEMA_VERSION} was expected (open it with openDatabase first)`,
        { file }
      )
    return db as WritableDB
  } catch (err) {
    const mapped = corruptOr(err, file, db)
    db.close()
    throw mapped
  }
}

/**
 * The tables a read-write open may write before any command runs (job recovery, the owner's
 * lease) are checked first (`PRAGMA quick_check(table)`, milliseconds), so a damaged library is
 * refused before anything is written to it. A full check reads the whole file (seconds per
 * gigabyte) and is not done at every open; damage elsewhere is reported when it is met, and from
 * then on the session writes nothing (core/index.ts).
 */
function checkWrittenOnOpen(db: Db, file: string): void {
  const tables = new Set(
    (
      db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table'`).all() as { name: string }[]
    ).map((r) => r.name)
  )
  for (const t of ['jobs', 'job_owners', 'job_items']) {
    if (!tables.has(t)) continue
    const problems = (db.pragma(`quick_check(${t})`) as { quick_check: string }[])
      .map((r) => r.quick_check)
      .filter((r) => r !== 'ok')
    if (problems.length)
      throw new GlossaError(
        'LIBRARY_CORRUPT',
        `${file}: the library file is damaged (${problems[0]}). Nothing was written to it; restore a backup (Glossa keeps them in the "backups" folder beside the library) or open a copy.`,
        { file, problems: problems.slice(0, 10) }
      )
  }
}

function upgradeFirst(file: string, from: number, opts: OpenOptions): void {
  try {
    closeDatabase(openDatabase(file, { ...opts, readonly: false }))
  } catch (err) {
    const e = toApiError(err, { file })
    if (e.code === 'READ_ONLY' || e.code === 'IO_ERROR')
      throw new GlossaError(
        'READ_ONLY',
        `${file}: this library was written by an older Glossa (schema ${from}) and must be upgraded to schema ${SCHEMA_VERSION} before this build can read it, which needs write access (${e.message})`,
        { file, fileVersion: from, appVersion: SCHEMA_VERSION }
      )
    throw err
  }
}

function openReadOnly(file: string, opts: OpenOptions): ReadableDB {
  const attempts: Database.Options[] = [
    { ...baseOptions(opts), fileMustExist: true },
    { ...baseOptions(opts), fileMustExist: true, readonly: true }
  ]
  let last: unknown
  for (const o of attempts) {
    let db: Db | null = null
    try {
      db = new Database(file, o)
      registerFunctions(db)
      db.pragma('query_only = ON')
      db.pragma('busy_timeout = 5000')
      db.prepare('SELECT count(*) FROM sqlite_schema').get()
      return db as ReadableDB
    } catch (err) {
      last = corruptOr(err, file, db)
      db?.close()
      if (last instanceof GlossaError) throw last
    }
  }
  const e = toApiError(last, { file })
  throw new GlossaError(
    'READ_ONLY',
    `${file}: cannot read the library: ${e.message}${fs.existsSync(`${file}-shm`) ? '' : ` (SQLite needs to create ${path.basename(file)}-shm beside a library to read it; copy the library to a folder you can write to)`}`,
    { file }
  )
}

/**
 * Applies pending migrations in one transaction. `migrations` defaults to the app's list (tests
 * pass their own to check atomicity).
 */
export function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): number {
  const current = db.pragma('user_version', { simple: true }) as number
  const target = migrations.length ? migrations[migrations.length - 1]!.version : 0
  if (current > target) {
    throw new GlossaError(
      'DB_TOO_NEW',
      `library schema ${current} is newer than this build (${target})`
    )
  }
  const pending = migrations.filter((m) => m.version > current)
  if (pending.length === 0) return current
  db.transaction(() => {
    for (const m of pending) {
      m.up(db)
      db.pragma(`user_version = ${m.version}`)
    }
  }).immediate()
  return pending[pending.length - 1]!.version
}

/** Whether this connection may write (not opened read-only, not query_only). */
export function isWritable(db: Db): boolean {
  return db.open && !db.readonly && (db.pragma('query_only', { simple: true }) as number) === 0
}

/**
 * Closes the connection. `PRAGMA optimize` (recommended for long-lived connections) runs only
 * when this connection wrote something, and its failure (a locked or read-only library) never
 * turns a successful session into an error.
 */
export function closeDatabase(db: Db): void {
  if (!db.open) return
  try {
    if (isWritable(db) && (db.prepare('SELECT total_changes()').pluck().get() as number) > 0)
      db.pragma('optimize')
  } catch {
    // optimize is housekeeping: a busy or read-only library simply skips it
  } finally {
    db.close()
  }
}
