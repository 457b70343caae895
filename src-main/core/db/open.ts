import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import type { Database as Db } from 'better-sqlite3'
import { GlossaError } from '../../shared/errors'
import { MIGRATIONS, SCHEMA_VERSION, type Migration } from './migrations'
import { cjkGrams } from '../captions/text/cjk'
import { registerTextMetrics } from '../review/text-metrics'

export interface OpenOptions {
  /** Path of a better_sqlite3.node built for the running ABI (Electron); see README. */
  nativeBinding?: string
  readonly?: boolean
}

/** Registers the SQL functions the schema's triggers use. Must run before any write. */
export function registerFunctions(db: Db): void {
  db.function('glossa_cjk', { deterministic: true }, (text: unknown) =>
    typeof text === 'string' ? cjkGrams(text) : ''
  )
  registerTextMetrics(db)
}

/**
 * Opens (creating if needed) a library file: WAL, foreign keys, busy timeout, then migrations in
 * one transaction. A file stamped with a newer schema than this build knows is refused before
 * anything is written to it.
 */
export function openDatabase(file: string, opts: OpenOptions = {}): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true })
  const dbOpts: Database.Options = {}
  if (opts.nativeBinding) dbOpts.nativeBinding = opts.nativeBinding
  if (opts.readonly) dbOpts.readonly = true
  // Check the version with a read-only handle first so a newer file is never touched (no WAL,
  // no journal files, no pragma writes).
  if (file !== ':memory:' && fs.existsSync(file)) {
    const probe = new Database(file, { ...dbOpts, readonly: true, fileMustExist: true })
    try {
      const v = probe.pragma('user_version', { simple: true }) as number
      if (v > SCHEMA_VERSION) {
        throw new GlossaError(
          'DB_TOO_NEW',
          `${file}: this library was written by a newer Glossa (schema ${v}; this build knows up to ${SCHEMA_VERSION}). Update Glossa to open it; the file was not changed.`,
          { file, fileVersion: v, appVersion: SCHEMA_VERSION }
        )
      }
    } finally {
      probe.close()
    }
  }
  const db = new Database(file, dbOpts)
  try {
    registerFunctions(db)
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = NORMAL')
    }
    db.pragma('foreign_keys = ON')
    db.pragma('busy_timeout = 5000')
    if (!opts.readonly) migrate(db)
    return db
  } catch (err) {
    db.close()
    throw err
  }
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

/** Closes with `PRAGMA optimize` as recommended for long-lived connections. */
export function closeDatabase(db: Db): void {
  if (!db.open) return
  try {
    if (!db.readonly) db.pragma('optimize')
  } finally {
    db.close()
  }
}
