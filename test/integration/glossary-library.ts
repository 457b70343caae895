/**
 * A library of the 50 glossary fixture captions (test/fixtures/glossary/captions.json), seeded
 * with SQL into a temp dir, with landmarks.csv imported into its dataset through the core.
 * `useGlossaryLibrary()` registers beforeEach/afterEach and returns the live state.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, expect } from 'vitest'
import { createCore, type Core } from '../../src-main/core'
import { closeDatabase, openDatabase } from '../../src-main/core/db/open'
import { insertImage } from '../db/helpers'

const here = path.dirname(fileURLToPath(import.meta.url))
export const FIX = path.resolve(here, '../fixtures/glossary')

export interface FixtureCaption {
  id: string
  relPath: string
  tags: string[]
  zh: string | null
  en: string | null
  fields?: { zh?: Record<string, string>; en?: Record<string, string> }
  expect: { zh: string | null; en: string | null }
}
export const captions = JSON.parse(
  fs.readFileSync(path.join(FIX, 'captions.json'), 'utf8')
) as FixtureCaption[]
export const changedIds = captions.filter((c) => c.expect.zh || c.expect.en).map((c) => c.id)

export interface GlossaryLibrary {
  dir: string
  core: Core
  datasetId: number
  /** fixture id → image id */
  id(fixtureId: string): number
  /** every caption row, text as bytes */
  dumpCaptions(): unknown[]
  texts(fixtureId: string): Promise<{ zh: string | null; en: string | null }>
  writeTemp(name: string, data: string | Buffer): string
}

export function useGlossaryLibrary(): GlossaryLibrary {
  const ids = new Map<string, number>()
  const lib = {
    id: (fixtureId: string) => ids.get(fixtureId)!,
    dumpCaptions() {
      const db = new Database(path.join(lib.dir, 'library.sqlite'), { readonly: true })
      try {
        return db
          .prepare(
            'SELECT image_id, lang, CAST(text AS BLOB) AS text, fields, source, updated_at, updated_by FROM captions ORDER BY image_id, lang'
          )
          .all()
      } finally {
        db.close()
      }
    },
    async texts(fixtureId: string) {
      const d = await lib.core.call('images.get', { id: lib.id(fixtureId) })
      return { zh: d.captions.zh?.text ?? null, en: d.captions.en?.text ?? null }
    },
    writeTemp(name: string, data: string | Buffer) {
      const f = path.join(lib.dir, name)
      fs.writeFileSync(f, data)
      return f
    }
  } as GlossaryLibrary

  beforeEach(async () => {
    lib.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glossa-glossary-'))
    const db = openDatabase(path.join(lib.dir, 'library.sqlite'))
    lib.datasetId = Number(
      db.prepare("INSERT INTO datasets (name, created_at) VALUES ('landmarks', 1)").run()
        .lastInsertRowid
    )
    ids.clear()
    db.transaction(() => {
      for (const c of captions) {
        const folder = path.posix.dirname(c.relPath)
        const id = insertImage(db, lib.datasetId, {
          fileName: path.posix.basename(c.relPath),
          folder: folder === '.' ? '' : folder,
          tags: c.tags,
          zh: c.zh,
          en: c.en
        })
        for (const lang of ['zh', 'en'] as const) {
          const f = c.fields?.[lang]
          if (f) {
            db.prepare('UPDATE captions SET fields = ? WHERE image_id = ? AND lang = ?').run(
              JSON.stringify(f),
              id,
              lang
            )
          }
        }
        ids.set(c.id, id)
      }
    })()
    closeDatabase(db)
    lib.core = createCore({ dataDir: lib.dir, actor: 'tester' })
    const imported = await lib.core.call('glossary.import', {
      file: path.join(FIX, 'landmarks.csv'),
      datasetId: lib.datasetId
    })
    expect(imported).toEqual({ added: 5, updated: 0, unchanged: 0, rowErrors: [] })
  })
  afterEach(async () => {
    await lib.core.close()
    fs.rmSync(lib.dir, { recursive: true, force: true })
  })
  return lib
}
