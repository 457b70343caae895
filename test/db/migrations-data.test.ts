/**
 * Migrations as data moves: a library written by every earlier schema version, with real-shaped
 * content (two datasets, zh/en captions, tags, statuses, an undoable edit, a finished job), is
 * upgraded to the current schema and must come out whole: integrity and foreign keys intact,
 * every summary the studio shows equal to a recount of the rows, search indexes in step with the
 * captions, the caption statistics backfilled, and the old edit still undoable. Migrations that
 * backfill derived data get their own checks against the values computed from scratch.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createCore } from '../../src-main/core'
import { MIGRATIONS, SCHEMA_VERSION } from '../../src-main/core/db/migrations'
import { migrate, registerFunctions } from '../../src-main/core/db/open'
import { textSize } from '../../src-main/core/review/text-metrics'

let dir: string
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glossa-migdata-'))
})
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true })
})

/** A library file at schema `version` (the migrations up to it, applied as they shipped). */
function libraryAt(version: number): { file: string; db: Database.Database } {
  const file = path.join(dir, `v${version}.sqlite`)
  const db = new Database(file)
  registerFunctions(db)
  db.pragma('journal_mode = WAL')
  db.pragma('foreign_keys = ON')
  migrate(
    db,
    MIGRATIONS.filter((m) => m.version <= version)
  )
  expect(db.pragma('user_version', { simple: true })).toBe(version)
  return { file, db }
}

const ZH = ['一只橘猫坐在广州塔前', '故宫角楼的雪景，红墙金瓦', '一位少女坐在咖啡馆的窗边', '']
const EN = ['an orange cat in front of Canton Tower', '', 'a girl by the window', 'a red lantern']
const TAGS = [['cat', 'tower'], ['snow'], [], ['lantern', 'red', 'night']]
const STATUSES = ['unreviewed', 'approved', 'rejected', 'needs-work'] as const

interface Seeded {
  images: number
  /** the image whose en caption the seeded journal batch changed, and its text before */
  edited: { id: number; before: string; after: string }
}

/** Rows valid at schema version 1 (and so at every later one: new columns have defaults). */
function seed(db: Database.Database): Seeded {
  const now = 1_700_000_000_000
  const ds = db.prepare('INSERT INTO datasets (name, created_at) VALUES (?, ?)')
  const a = Number(ds.run('landmarks', now).lastInsertRowid)
  const b = Number(ds.run('Portraits 人像', now).lastInsertRowid)
  const img = db.prepare(
    `INSERT INTO images (dataset_id, path, root, rel_path, file_name, folder, concept, repeats,
       sha256, width, height, format, bytes, mtime_ms, raw_caption, tags_text, status, error,
       added_at, updated_at)
     VALUES (?, ?, '/data', ?, ?, ?, ?, ?, ?, ?, ?, 'jpg', 1000, ?, ?, ?, ?, ?, ?, ?)`
  )
  const cap = db.prepare(
    `INSERT INTO captions (image_id, lang, text, fields, source, updated_at) VALUES (?, ?, ?, NULL, 'import', ?)`
  )
  const tag = db.prepare(
    `INSERT INTO tags (image_id, position, tag, score, source) VALUES (?, ?, ?, NULL, 'import')`
  )
  let n = 0
  let edited: Seeded['edited'] | null = null
  for (let i = 0; i < 24; i++) {
    const datasetId = i % 3 === 0 ? b : a
    const k = i % 4
    const folder = i % 2 ? '10_tower' : ''
    const name = `img${String(i).padStart(3, '0')}.jpg`
    const rel = folder ? `${folder}/${name}` : name
    const tags = TAGS[k]!
    const id = Number(
      img.run(
        datasetId,
        `/data/${rel}`,
        rel,
        name,
        folder,
        folder ? 'tower' : '',
        folder ? 10 : null,
        `${i}`.padStart(64, '0'),
        512 + i * 16,
        768 - i * 8,
        now + i,
        ZH[k] || null,
        tags.join(', '),
        STATUSES[k],
        i === 23 ? 'VipsJpeg: premature end of JPEG image' : null,
        now + i,
        now + i
      ).lastInsertRowid
    )
    n++
    if (ZH[k]) cap.run(id, 'zh', ZH[k], now)
    if (EN[k]) cap.run(id, 'en', EN[k], now)
    tags.forEach((t, p) => tag.run(id, p, t))
    if (i === 4 && EN[k]) {
      // one undoable edit as the journal of version 1 wrote it
      const after = `${EN[k]}, at dusk`
      const batch = Number(
        db
          .prepare(
            `INSERT INTO journal_batches (label, actor, created_at, items) VALUES ('Edit en caption', 'tester', ?, 1)`
          )
          .run(now + 100).lastInsertRowid
      )
      const snap = (text: string) =>
        JSON.stringify({
          text,
          fields: null,
          source: text === after ? 'manual' : 'import',
          updated_at: now,
          updated_by: null
        })
      db.prepare(
        `INSERT INTO journal_entries (batch_id, image_id, kind, lang, before, after) VALUES (?, ?, 'caption', 'en', ?, ?)`
      ).run(batch, id, snap(EN[k]), snap(after))
      db.prepare(
        `UPDATE captions SET text = ?, source = 'manual' WHERE image_id = ? AND lang = 'en'`
      ).run(after, id)
      edited = { id, before: EN[k], after }
    }
  }
  db.prepare(
    `INSERT INTO jobs (kind, dataset_id, params, status, total, done, created_at, finished_at)
     VALUES ('import', ?, '{}', 'done', 16, 16, ?, ?)`
  ).run(a, now, now + 1000)
  return { images: n, edited: edited! }
}

function recount(file: string) {
  const db = new Database(file, { readonly: true })
  try {
    const perDataset = db
      .prepare(
        `SELECT d.id, d.name,
                (SELECT count(*) FROM images i WHERE i.dataset_id = d.id) AS images,
                (SELECT count(*) FROM images i WHERE i.dataset_id = d.id AND i.error IS NOT NULL) AS errors,
                (SELECT count(*) FROM captions c JOIN images i ON i.id = c.image_id
                  WHERE i.dataset_id = d.id AND c.lang = 'zh' AND c.text <> '') AS zh,
                (SELECT count(*) FROM captions c JOIN images i ON i.id = c.image_id
                  WHERE i.dataset_id = d.id AND c.lang = 'en' AND c.text <> '') AS en
           FROM datasets d ORDER BY d.id`
      )
      .all() as {
      id: number
      name: string
      images: number
      errors: number
      zh: number
      en: number
    }[]
    const statuses = db
      .prepare(
        `SELECT dataset_id, status, count(*) AS n FROM images WHERE error IS NULL GROUP BY dataset_id, status`
      )
      .all() as { dataset_id: number; status: string; n: number }[]
    const tags = db
      .prepare(`SELECT tag, count(*) AS n FROM tags GROUP BY tag ORDER BY tag`)
      .all() as { tag: string; n: number }[]
    return { perDataset, statuses, tags }
  } finally {
    db.close()
  }
}

describe('upgrading a library written by each earlier schema', () => {
  const earlier = MIGRATIONS.map((m) => m.version).filter((v) => v < SCHEMA_VERSION)

  it.each(earlier)('from schema %i: whole, counted, searchable and undoable', async (version) => {
    const { file, db } = libraryAt(version)
    const seeded = seed(db)
    db.close()
    const expected = recount(file)

    const core = createCore({ dataDir: path.join(dir, 'data'), libraryFile: file })
    try {
      const check = new Database(file, { readonly: true })
      try {
        expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
        expect(check.pragma('integrity_check', { simple: true })).toBe('ok')
        expect(check.pragma('foreign_key_check')).toEqual([])
      } finally {
        check.close()
      }

      // the summaries the library home and the dataset card show (statuses count the images
      // that imported; an import error is not reviewable)
      const list = await core.call('datasets.list', {})
      expect(list.map((d) => d.name)).toEqual(expected.perDataset.map((d) => d.name))
      for (const d of expected.perDataset) {
        const s = list.find((x) => x.id === d.id)!
        expect(s.images).toBe(d.images)
        expect(s.errors).toBe(d.errors)
        expect(s.captioned).toEqual({ zh: d.zh, en: d.en })
        for (const st of STATUSES) {
          const n = expected.statuses.find((r) => r.dataset_id === d.id && r.status === st)?.n ?? 0
          expect(s.byStatus[st], `${d.name} ${st}`).toBe(n)
        }
      }
      const stats = await core.call('library.stats', {})
      expect(stats.images).toBe(seeded.images)
      expect(stats.tags).toBe(expected.tags.length)

      // search still finds captions, one-character Chinese included
      const landmarks = expected.perDataset[0]!.id
      const tower = await core.call('images.page', {
        filter: { datasetId: landmarks, search: '广州塔' }
      })
      expect(tower.total).toBeGreaterThan(0)
      expect(tower.rows.every((r) => r.zh.includes('广州塔'))).toBe(true)
      const snow = await core.call('images.page', {
        filter: { datasetId: landmarks, search: '雪' }
      })
      expect(snow.rows.length).toBeGreaterThan(0)
      expect(snow.rows.every((r) => r.zh.includes('雪'))).toBe(true)

      // the dashboard's statistics are backfilled for the old rows
      const lengths = await core.call('stats.captionLengths', {
        filter: { datasetId: landmarks }
      })
      expect(lengths.langs.zh.captions).toBe(expected.perDataset[0]!.zh)
      expect(lengths.langs.en.captions).toBe(expected.perDataset[0]!.en)
      const tagStats = await core.call('stats.tags', { filter: {}, top: 50 })
      expect(Object.fromEntries(tagStats.top.map((t) => [t.tag, t.count]))).toEqual(
        Object.fromEntries(expected.tags.map((t) => [t.tag, t.n]))
      )

      // the edit made under the old schema is still undone byte-exactly
      expect((await core.call('images.get', { id: seeded.edited.id })).captions.en?.text).toBe(
        seeded.edited.after
      )
      const undone = await core.call('history.undo', {})
      expect(undone?.label).toBe('Edit en caption')
      expect((await core.call('images.get', { id: seeded.edited.id })).captions.en?.text).toBe(
        seeded.edited.before
      )
    } finally {
      await core.close()
    }
  })
})

describe('migration 0007 (caption statistics computed on write)', () => {
  it('backfills every non-empty caption with its dataset and the lengths computed from scratch, keeping current cache rows', () => {
    const { db } = libraryAt(6)
    seed(db)
    // the 0006 cache held some rows (current ones: its triggers dropped stale rows)
    const cached = db
      .prepare(`SELECT image_id, lang, text FROM captions WHERE text <> '' LIMIT 5`)
      .all() as { image_id: number; lang: string; text: string }[]
    const put = db.prepare(
      `INSERT INTO caption_metrics (image_id, lang, updated_at, chars, clip, mt5) VALUES (?, ?, 0, ?, ?, ?)`
    )
    for (const c of cached)
      put.run(
        c.image_id,
        c.lang,
        textSize(c.text, 'chars'),
        textSize(c.text, 'clip'),
        textSize(c.text, 'mt5')
      )
    migrate(
      db,
      MIGRATIONS.filter((m) => m.version <= 7)
    )
    const rows = db
      .prepare(
        `SELECT c.image_id, c.lang, c.text, i.dataset_id, m.dataset_id AS m_ds, m.chars, m.clip, m.mt5
           FROM captions c JOIN images i ON i.id = c.image_id
           LEFT JOIN caption_metrics m ON m.image_id = c.image_id AND m.lang = c.lang`
      )
      .all() as {
      text: string
      dataset_id: number
      m_ds: number | null
      chars: number | null
      clip: number | null
      mt5: number | null
    }[]
    expect(rows.length).toBeGreaterThan(20)
    for (const r of rows) {
      if (r.text === '') {
        expect(r.chars).toBeNull()
        continue
      }
      expect(r.m_ds).toBe(r.dataset_id)
      expect([r.chars, r.clip, r.mt5]).toEqual([
        textSize(r.text, 'chars'),
        textSize(r.text, 'clip'),
        textSize(r.text, 'mt5')
      ])
    }
    // tag_stats mirrors tags with the image's dataset
    const mismatch = db
      .prepare(
        `SELECT count(*) AS n FROM tags t JOIN images i ON i.id = t.image_id
           LEFT JOIN tag_stats s ON s.image_id = t.image_id AND s.position = t.position
          WHERE s.dataset_id IS NOT i.dataset_id OR s.tag IS NOT t.tag`
      )
      .get() as { n: number }
    expect(mismatch.n).toBe(0)
    expect((db.prepare('SELECT count(*) AS n FROM tag_stats').get() as { n: number }).n).toBe(
      (db.prepare('SELECT count(*) AS n FROM tags').get() as { n: number }).n
    )
    // and the new triggers keep them in step from here on
    const one = rows.find((r) => r.text !== '')!
    db.prepare(`UPDATE captions SET text = ? WHERE text = ?`).run('一二三四五', one.text)
    const m = db
      .prepare(
        `SELECT chars FROM caption_metrics m JOIN captions c USING (image_id, lang) WHERE c.text = ?`
      )
      .all('一二三四五') as { chars: number }[]
    expect(m.length).toBeGreaterThan(0)
    expect(m.every((x) => x.chars === 5)).toBe(true)
    db.close()
  })
})
