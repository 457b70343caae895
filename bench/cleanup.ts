/**
 * Issue 6: cleanup preview over N captions (100,000; 20,000 with --quick) of a seeded library
 * (test/db/helpers.ts seedLibrary), all four presets, through the core's `cleanup.preview` — read,
 * run every rule, count, diff the first 200 changed images. Captions per second, against a bare
 * read of the same captions (the zh, en and tags of every image, in the same id-ordered chunks)
 * in the same run; the pipeline alone (in memory, no database) is in the details.
 */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { createCore } from '../src-main/core'
import { closeDatabase, openDatabase } from '../src-main/core/db/open'
import { compilePipeline, presetSteps, runItem } from '../src-main/core/text/cleanup'
import { seedLibrary } from '../test/db/helpers'
import { figure, round, type Benchmark, type BenchContext, type Figure } from './types'
import { cached, elapsedMs, REPO_DIR, sourceHash } from './util'

const PRESETS = ['web-scrape', 'kohya', 'tags', 'normalise'] as const

async function seeded(ctx: BenchContext, n: number): Promise<string> {
  const migrations = fs
    .readdirSync(path.join(REPO_DIR, 'src-main/core/db/migrations'))
    .map((f) => `src-main/core/db/migrations/${f}`)
    .sort()
  const hash = sourceHash(['test/db/helpers.ts', 'src-main/core/text/cjk.ts', ...migrations])
  return cached(
    ctx.cacheDir,
    `cleanup-library-${n}-${hash}.sqlite`,
    async (target) => {
      const db = openDatabase(target)
      try {
        seedLibrary(db, { datasets: 1, imagesPerDataset: n, seed: 11 })
        db.pragma('wal_checkpoint(TRUNCATE)')
        db.exec('ANALYZE')
      } finally {
        closeDatabase(db)
      }
    },
    ctx.log
  )
}

interface Row {
  id: number
  zh: string | null
  en: string | null
  tags: string
}

const CHUNK = 1000
const SELECT = `
  SELECT i.id,
         (SELECT text FROM captions c WHERE c.image_id = i.id AND c.lang = 'zh') AS zh,
         (SELECT text FROM captions c WHERE c.image_id = i.id AND c.lang = 'en') AS en,
         (SELECT json_group_array(tag) FROM (SELECT tag FROM tags t WHERE t.image_id = i.id
                                               ORDER BY position)) AS tags
    FROM images i WHERE i.dataset_id = ? AND i.id > ? ORDER BY i.id LIMIT ${CHUNK}`

/** The reference: every caption and tag list of the dataset, read in id-ordered chunks. */
function bareRead(file: string, datasetId: number): { ms: number; rows: Row[] } {
  const db = new Database(file, { readonly: true })
  try {
    const stmt = db.prepare(SELECT)
    const rows: Row[] = []
    const t0 = performance.now()
    let after = 0
    for (;;) {
      const chunk = stmt.all(datasetId, after) as Row[]
      if (!chunk.length) break
      for (const r of chunk) rows.push(r)
      after = chunk[chunk.length - 1]!.id
    }
    return { ms: elapsedMs(t0), rows }
  } finally {
    db.close()
  }
}

export const cleanupPreview: Benchmark = {
  name: 'cleanup',
  issue: 6,
  description: 'cleanup preview (all presets) over a seeded library vs a bare read of the captions',
  async run(ctx): Promise<Figure[]> {
    const n = ctx.quick ? 20_000 : 100_000
    const lib = path.join(ctx.tmpDir, 'library.sqlite')
    fs.copyFileSync(await seeded(ctx, n), lib)
    const core = createCore({ dataDir: ctx.tmpDir, libraryFile: lib })
    let previewMs: number
    let scanned: number
    let changed: number
    let datasetId: number
    try {
      datasetId = (await core.call('datasets.list', {}))[0]!.id
      // one warm-up pass (page cache, statement cache), then the measured one
      await core.call('cleanup.preview', {
        target: { datasetId },
        presets: [...PRESETS],
        limit: 200
      })
      const t0 = performance.now()
      const p = await core.call('cleanup.preview', {
        target: { datasetId },
        presets: [...PRESETS],
        limit: 200
      })
      previewMs = elapsedMs(t0)
      scanned = p.scanned
      changed = p.changed
    } finally {
      await core.close()
    }
    bareRead(lib, datasetId) // warm-up
    const bare = bareRead(lib, datasetId)

    // the pipeline alone, in memory
    const pipeline = compilePipeline({ steps: presetSteps(...PRESETS) })
    const items = bare.rows.map((r) => ({
      id: r.id,
      zh: r.zh ?? '',
      en: r.en ?? '',
      tags: JSON.parse(r.tags) as string[]
    }))
    const t1 = performance.now()
    for (const it of items) runItem(it, pipeline)
    const pipelineMs = elapsedMs(t1)
    ctx.log(
      `cleanup: preview ${round(previewMs, 0)} ms for ${scanned} images; bare read ${round(bare.ms, 0)} ms; pipeline alone ${round(pipelineMs, 0)} ms`
    )

    return [
      figure({
        id: 'cleanup.preview',
        description: `cleanup.preview with all presets (${PRESETS.join(', ')}) over ${n} images`,
        measured: { name: 'preview wall time', value: round(previewMs, 1), unit: 'ms' },
        reference: {
          name: 'bare read of the same zh/en captions and tags (same chunked query shape)',
          value: round(bare.ms, 1),
          unit: 'ms'
        },
        target: null,
        details: {
          images: scanned,
          changed,
          captionsPerSecond: round(scanned / (previewMs / 1000), 0),
          bareReadCaptionsPerSecond: round(bare.rows.length / (bare.ms / 1000), 0),
          pipelineOnlyMs: round(pipelineMs, 1),
          pipelineOnlyCaptionsPerSecond: round(items.length / (pipelineMs / 1000), 0)
        }
      })
    ]
  }
}
