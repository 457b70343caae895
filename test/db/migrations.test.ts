import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { closeDatabase, migrate, openDatabase } from '../../src-main/core/db/open'
import { MIGRATIONS, SCHEMA_VERSION, type Migration } from '../../src-main/core/db/migrations'
import { GlossaError } from '../../src-main/shared/errors'

let dir: string
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glossa-mig-'))
})
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true })
})

const sha = (file: string) =>
  crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')

describe('migrations', () => {
  it('a fresh library gets every migration and user_version = SCHEMA_VERSION', () => {
    const db = openDatabase(path.join(dir, 'lib.sqlite'))
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length)
    const idx = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index'`).all() as {
      name: string
    }[]
    expect(idx.map((i) => i.name)).toEqual(
      expect.arrayContaining(['images_by_width', 'images_all_name'])
    )
    // the kept summaries of migration 0012, and the triggers that keep them
    const objs = db
      .prepare(`SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')`)
      .all() as {
      name: string
    }[]
    expect(objs.map((o) => o.name)).toEqual(
      expect.arrayContaining([
        'dataset_stats',
        'dataset_concepts',
        'tag_counts',
        'caption_bins',
        'size_counts',
        'summary_images_ai',
        'summary_metrics_ai',
        'summary_tags_ai',
        'image_names',
        'image_names_ai'
      ])
    )
    expect(MIGRATIONS.map((m) => `${String(m.version).padStart(4, '0')}-${m.name}`).at(-1)).toBe(
      '0013-name-index'
    )
    closeDatabase(db)
    // reopening applies nothing and keeps the version
    const again = openDatabase(path.join(dir, 'lib.sqlite'))
    expect(again.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
    closeDatabase(again)
  })

  it('refuses a library from a newer Glossa with DB_TOO_NEW and leaves the file untouched', () => {
    const file = path.join(dir, 'future.sqlite')
    const db = openDatabase(file)
    db.prepare('INSERT INTO datasets (name, created_at) VALUES (?, ?)').run('kept', 1)
    db.pragma('journal_mode = DELETE') // checkpoint everything into the main file, drop the WAL
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`)
    db.close()
    expect(fs.existsSync(`${file}-wal`)).toBe(false)
    const before = sha(file)
    const mtime = fs.statSync(file).mtimeMs

    let err: unknown
    try {
      openDatabase(file)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(GlossaError)
    expect((err as GlossaError).code).toBe('DB_TOO_NEW')
    expect((err as GlossaError).message).toMatch(/newer Glossa/)
    expect((err as GlossaError).message).toContain(file)
    expect(sha(file)).toBe(before)
    expect(fs.statSync(file).mtimeMs).toBe(mtime)
    expect(fs.existsSync(`${file}-wal`)).toBe(false)
    expect(fs.existsSync(`${file}-shm`)).toBe(false)
    expect(fs.existsSync(`${file}-journal`)).toBe(false)
  })

  it('applies migrations atomically: a failing one leaves the version and schema as they were', () => {
    const file = path.join(dir, 'atomic.sqlite')
    const db = new Database(file)
    const good: Migration = { version: 1, name: 'one', up: (d) => d.exec('CREATE TABLE a (x)') }
    expect(migrate(db, [good])).toBe(1)
    const two: Migration = { version: 2, name: 'two', up: (d) => d.exec('CREATE TABLE b (x)') }
    const broken: Migration = {
      version: 3,
      name: 'broken',
      up: (d) => {
        d.exec('CREATE TABLE c (x)')
        throw new Error('migration 3 exploded')
      }
    }
    expect(() => migrate(db, [good, two, broken])).toThrow('migration 3 exploded')
    expect(db.pragma('user_version', { simple: true })).toBe(1)
    const tables = (
      db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]
    ).map((t) => t.name)
    expect(tables).toEqual(['a'])
    // fixing the migration lets the same library move on
    expect(migrate(db, [good, two])).toBe(2)
    expect(() => migrate(db, [good])).toThrow(expect.objectContaining({ code: 'DB_TOO_NEW' }))
    db.close()
  })
})
