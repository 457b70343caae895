/**
 * Synthetic libraries for tests and benchmarks. Rows are inserted directly with SQL (no import
 * job, no image files) in batched transactions, so 100,000 images take a few seconds. The FTS
 * indexes, caption statistics and kept summaries come out exactly as the triggers would make them.
 *
 *   const db = openDatabase(file)
 *   const lib = seedLibrary(db, { datasets: 2, imagesPerDataset: 50_000 })
 *
 * Everything is deterministic for a given `seed`. The data is shaped like a real library:
 * kohya `<repeats>_<concept>` folders with nested sub-folders, file names that repeat across
 * folders (so sorts have ties that the id must break), a few fixed sizes (many ties), import
 * error rows with NULL width/height, all four review statuses, zh captions built from varied
 * Chinese phrases (广州塔, 一只橘猫, …), en captions ("a tall tower", …), some empty or missing
 * captions, and WD14-style tags.
 */
import type { WritableDB } from '../../src-main/core/db/types'
import type { Database, Statement } from 'better-sqlite3'
import type { ReviewStatus } from '../../src-main/shared/api'
import { fillCaptionMetrics } from '../../src-main/core/review/text-metrics'
import { rebuildSummaries } from '../../src-main/core/db/migrations/0012-summaries'

export const ZH_SUBJECTS = [
  '广州塔',
  '一只橘猫',
  '穿着汉服的女孩',
  '一碗牛肉面',
  '熊猫在吃竹子',
  '故宫的屋顶',
  '古老的石桥',
  '红色灯笼',
  '一位老人',
  '西湖的断桥',
  '一只白色的小狗',
  '上海外滩的建筑群'
]
export const ZH_BACKGROUNDS = [
  '夕阳下的海滩',
  '城市夜景',
  '雪山脚下',
  '樱花树下',
  '热闹的街市',
  '雨后的小巷',
  '广阔的草原',
  '安静的书房'
]
export const ZH_STYLES = [
  '采用居中构图',
  '呈现出水墨画风格',
  '展现了温暖的氛围',
  '呈现出写实摄影风格',
  '采用仰视构图',
  '展现了宁静的氛围'
]
export const EN_SUBJECTS = [
  'a tall tower',
  'an orange cat',
  'a girl wearing hanfu',
  'a bowl of beef noodles',
  'a panda eating bamboo',
  'the roof of the Forbidden City',
  'an old stone bridge',
  'red lanterns',
  'an old man',
  'a small white dog'
]
export const EN_BACKGROUNDS = [
  'on a beach at sunset',
  'in a city at night',
  'at the foot of a snowy mountain',
  'under cherry blossoms',
  'in a busy market',
  'in a quiet study'
]
export const EN_STYLES = [
  'centered composition',
  'ink wash painting style',
  'warm atmosphere',
  'photorealistic'
]
export const TAGS = [
  '1girl',
  'solo',
  'outdoors',
  'sky',
  'cat',
  'tower',
  'night',
  'food',
  'building',
  'tree',
  'smile',
  'long_hair'
]
export const CONCEPTS = ['guangzhou', '橘猫', 'hanfu', 'food', 'landmark', 'misc']
const STATUSES: ReviewStatus[] = ['unreviewed', 'approved', 'rejected', 'needs-work']
const SIZES = [512, 640, 768, 1024, 1536]

export interface SeedOptions {
  datasets?: number
  imagesPerDataset?: number
  /** PRNG seed; same seed, same library */
  seed?: number
  /** share of rows that are import errors (NULL size, error text); default 0.02 */
  errorRate?: number
  /** share of good rows with a zh caption row; default 0.85 (a few of them empty) */
  zhRate?: number
  /** share of good rows with an en caption row; default 0.7 */
  enRate?: number
  /** dataset name prefix; default 'set' → set1, set2, … */
  namePrefix?: string
  /** rows per transaction; default 5000 */
  chunk?: number
}

export interface SeedResult {
  datasetIds: number[]
  images: number
}

/** mulberry32: small deterministic PRNG */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface ImageSpec {
  fileName: string
  /** absolute source path; default /seed/<datasetId>/<relPath> (must be unique per dataset) */
  path?: string
  folder?: string
  concept?: string
  repeats?: number | null
  width?: number | null
  height?: number | null
  status?: ReviewStatus
  error?: string | null
  raw?: string | null
  zh?: string | null
  en?: string | null
  tags?: string[]
  bytes?: number
  addedAt?: number
}

interface Stmts {
  image: Statement
  caption: Statement
  tag: Statement
}
const stmtCache = new WeakMap<Database, Stmts>()
function stmts(db: Database): Stmts {
  let s = stmtCache.get(db)
  if (!s) {
    s = {
      image:
        db.prepare(`INSERT INTO images (dataset_id, path, root, rel_path, file_name, folder, concept,
        repeats, sha256, width, height, format, bytes, mtime_ms, raw_caption, raw_file, tags_text,
        status, error, added_at, updated_at)
        VALUES (@datasetId, @path, '/seed', @relPath, @fileName, @folder, @concept, @repeats, @sha,
        @width, @height, @format, @bytes, 0, @raw, NULL, @tagsText, @status, @error, @addedAt, @addedAt)`),
      caption: db.prepare(
        `INSERT INTO captions (image_id, lang, text, fields, source, updated_at, updated_by)
         VALUES (?, ?, ?, NULL, 'import', ?, NULL)`
      ),
      tag: db.prepare(
        `INSERT INTO tags (image_id, position, tag, score, source) VALUES (?, ?, ?, ?, 'import')`
      )
    }
    stmtCache.set(db, s)
  }
  return s
}

/** Inserts one image row (and its captions and tags); returns its id. Call inside a transaction for speed. */
export function insertImage(db: Database, datasetId: number, spec: ImageSpec): number {
  const s = stmts(db)
  const folder = spec.folder ?? ''
  const relPath = folder ? `${folder}/${spec.fileName}` : spec.fileName
  const tags = spec.tags ?? []
  const addedAt = spec.addedAt ?? 1_700_000_000_000
  const info = s.image.run({
    datasetId,
    path: spec.path ?? `/seed/${datasetId}/${relPath}`,
    relPath,
    fileName: spec.fileName,
    folder,
    concept: spec.concept ?? '',
    repeats: spec.repeats ?? null,
    sha: spec.error ? null : `sha-${datasetId}-${relPath}`,
    width: spec.width === undefined ? 512 : spec.width,
    height: spec.height === undefined ? 512 : spec.height,
    format: spec.error ? null : 'jpeg',
    bytes: spec.bytes ?? 1000,
    raw: spec.raw ?? null,
    tagsText: tags.join(', '),
    status: spec.status ?? 'unreviewed',
    error: spec.error ?? null,
    addedAt
  })
  const id = Number(info.lastInsertRowid)
  if (spec.zh != null) s.caption.run(id, 'zh', spec.zh, addedAt)
  if (spec.en != null) s.caption.run(id, 'en', spec.en, addedAt)
  tags.forEach((t, i) => s.tag.run(id, i, t, 0.5 + (i % 5) / 10))
  return id
}

function pick<T>(rnd: () => number, list: readonly T[]): T {
  return list[Math.floor(rnd() * list.length)]!
}

/** Generates one realistic synthetic row. */
export function synthImage(
  rnd: () => number,
  n: number,
  total: number,
  opts: Required<Pick<SeedOptions, 'errorRate' | 'zhRate' | 'enRate'>>
): ImageSpec {
  const ci = Math.floor(rnd() * CONCEPTS.length)
  const concept = CONCEPTS[ci]!
  const repeats = [1, 5, 10][ci % 3]!
  const sub = rnd() < 0.3 ? `/sub${Math.floor(rnd() * 3)}` : ''
  const folder = `${repeats}_${concept}${sub}`
  // names repeat across folders: sorts by name have ties that the id must break
  const stem = Math.floor(n % Math.max(1, Math.floor(total / 3)))
  const fileName = rnd() < 0.1 ? `广州_${stem}.png` : `img_${String(stem).padStart(6, '0')}.jpg`
  if (rnd() < opts.errorRate) {
    return {
      fileName,
      path: `/seed/${n}/${folder}/${fileName}`,
      folder,
      concept,
      repeats,
      width: null,
      height: null,
      error: 'not an image: unsupported format',
      status: 'unreviewed'
    }
  }
  const zhText = () =>
    `${pick(rnd, ZH_SUBJECTS)}，${pick(rnd, ZH_BACKGROUNDS)}，${pick(rnd, ZH_STYLES)}。`
  const enText = () =>
    `${pick(rnd, EN_SUBJECTS)} ${pick(rnd, EN_BACKGROUNDS)}, ${pick(rnd, EN_STYLES)}`
  const r = rnd()
  const zh = r < opts.zhRate ? (r < 0.03 ? '' : zhText()) : null
  const en = rnd() < opts.enRate ? enText() : null
  const tags: string[] = []
  const nt = Math.floor(rnd() * 5)
  for (let i = 0; i < nt; i++) {
    const t = pick(rnd, TAGS)
    if (!tags.includes(t)) tags.push(t)
  }
  const rs = rnd()
  const status = rs < 0.55 ? 'unreviewed' : pick(rnd, STATUSES)
  return {
    fileName,
    path: `/seed/${n}/${folder}/${fileName}`,
    folder,
    concept,
    repeats,
    width: pick(rnd, SIZES),
    height: pick(rnd, SIZES),
    status,
    raw: zh ?? en ?? null,
    zh,
    en,
    tags,
    bytes: 10_000 + Math.floor(rnd() * 1_000_000),
    addedAt: 1_700_000_000_000 + n
  }
}

/** Creates `datasets` datasets with `imagesPerDataset` synthetic images each. */
export function seedLibrary(db: Database, opts: SeedOptions = {}): SeedResult {
  const o = {
    datasets: opts.datasets ?? 1,
    imagesPerDataset: opts.imagesPerDataset ?? 1000,
    errorRate: opts.errorRate ?? 0.02,
    zhRate: opts.zhRate ?? 0.85,
    enRate: opts.enRate ?? 0.7,
    namePrefix: opts.namePrefix ?? 'set',
    chunk: opts.chunk ?? 5000
  }
  const rnd = prng(opts.seed ?? 1)
  const datasetIds: number[] = []
  const insDataset = db.prepare('INSERT INTO datasets (name, created_at) VALUES (?, ?)')
  let images = 0
  const firstId =
    ((db.prepare('SELECT max(id) AS m FROM images').get() as { m: number | null }).m ?? 0) + 1
  // The schema's FTS triggers cost ~0.2 ms per row; for bulk seeding they are set aside and the
  // two search indexes are filled afterwards with one INSERT … SELECT each, producing exactly the
  // rows the triggers would have produced. The triggers are put back even if seeding fails.
  const triggers = db
    .prepare(
      `SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('images', 'captions', 'caption_metrics', 'tag_stats', 'caption_empty')`
    )
    .all() as { name: string; sql: string }[]
  db.transaction(() => {
    for (const t of triggers) db.exec(`DROP TRIGGER ${t.name}`)
  })()
  try {
    for (let d = 1; d <= o.datasets; d++) {
      const name = `${o.namePrefix}${d}`
      const datasetId = Number(insDataset.run(name, 1_700_000_000_000 + d).lastInsertRowid)
      datasetIds.push(datasetId)
      const tx = db.transaction((from: number, to: number) => {
        for (let n = from; n < to; n++) {
          insertImage(db, datasetId, synthImage(rnd, n, o.imagesPerDataset, o))
        }
      })
      for (let from = 0; from < o.imagesPerDataset; from += o.chunk) {
        tx(from, Math.min(o.imagesPerDataset, from + o.chunk))
      }
      images += o.imagesPerDataset
    }
    db.transaction(() => {
      db.prepare(
        `INSERT INTO image_fts (rowid, zh, en, raw, tags)
         SELECT i.id, COALESCE(z.text, ''), COALESCE(e.text, ''), COALESCE(i.raw_caption, ''), i.tags_text
           FROM images i
           LEFT JOIN captions z ON z.image_id = i.id AND z.lang = 'zh'
           LEFT JOIN captions e ON e.image_id = i.id AND e.lang = 'en'
          WHERE i.id >= ?`
      ).run(firstId)
      db.prepare(
        `INSERT INTO image_cjk (rowid, body)
         SELECT rowid, glossa_cjk(zh || ' ' || en || ' ' || raw || ' ' || tags) FROM image_fts WHERE rowid >= ?`
      ).run(firstId)
      // and the caption length / token rows of the caption_metrics triggers (migration 0007)
      fillCaptionMetrics(db as WritableDB, firstId) // a seeding connection, always writable
      // and the name index (migration 0013)
      if (db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'image_names'").get())
        db.prepare(
          'INSERT INTO image_names (rowid, rel_path) SELECT id, rel_path FROM images WHERE id >= ?'
        ).run(firstId)
      // and the kept summaries (migration 0012), recounted from the rows
      if (db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'dataset_stats'").get())
        rebuildSummaries(db)
    })()
  } finally {
    db.transaction(() => {
      for (const t of triggers) db.exec(t.sql)
    })()
  }
  return { datasetIds, images }
}
