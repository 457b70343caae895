/**
 * Issue 6: cleanup preview over N captions (100,000; 20,000 with --quick) of a seeded library
 * (test/db/helpers.ts seedLibrary), all four presets, through the core's `cleanup.preview` — read,
 * run every rule, count, diff the first 200 changed images. Captions per second, against a bare
 * read of the same captions (the zh, en and tags of every image, in the same id-ordered chunks)
 * in the same run; the pipeline alone (in memory, no database) is in the details. Each timing is
 * the best of five rounds, interleaved, after a warm-up. Issue 12's figure: the preview's rate against the rules alone
 * over the same strings (target ≥ 0.75×).
 */
import Database from 'better-sqlite3'
import { createCore } from '../src-main/core'
import { compilePipeline, presetSteps, runItem } from '../src-main/core/cleanup'
import { previewChunk } from '../src-main/core/cleanup/queries'
import type { CleanupItem } from '../src-main/core/cleanup/types'
import { closeDatabase, openDatabase } from '../src-main/core/db/open'
import { figure, round, type Benchmark, type Figure } from './types'
import { elapsedMs, fullGc, seededCopy } from './util'

const PRESETS = ['web-scrape', 'kohya', 'tags', 'normalise'] as const
/** each timing is the best of RUNS (after a warm-up): the machine is shared and noise only adds */
const RUNS = 5

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
    const lib = await seededCopy(ctx, n, 11)
    const core = createCore({ dataDir: ctx.tmpDir, libraryFile: lib })
    const pipeline = compilePipeline({ steps: presetSteps(...PRESETS) })
    let previewMs = Infinity
    let pipelineMs = Infinity
    let scanned = 0
    let changed = 0
    let bareMs = Infinity
    let bareRows = 0
    let ruleItems = 0
    try {
      const datasetId = (await core.call('datasets.list', {}))[0]!.id
      const preview = () =>
        core.call('cleanup.preview', {
          target: { datasetId },
          presets: [...PRESETS],
          limit: 200
        })
      /**
       * The bare read (timed); then the rules alone (timed) over the same captions, read untimed
       * as the preview reads them (cleanup/queries.ts previewChunk): the same strings in objects
       * of the same shape, so the rules run the code the preview runs (a second object shape
       * would leave the rules' compiled code polymorphic for both sides).
       */
      const bareThenRules = (): void => {
        const bare = bareRead(lib, datasetId)
        bareMs = Math.min(bareMs, bare.ms)
        bareRows = bare.rows.length
        const db = openDatabase(lib, { readonly: true })
        const items: CleanupItem[] = []
        try {
          let after = 0
          for (;;) {
            const chunk = previewChunk(db, datasetId, after, 1000)
            if (!chunk.length) break
            for (const it of chunk) items.push(it)
            after = chunk[chunk.length - 1]!.id
          }
        } finally {
          closeDatabase(db)
        }
        ruleItems = items.length
        fullGc()
        const t1 = performance.now()
        for (const it of items) runItem(it, pipeline)
        pipelineMs = Math.min(pipelineMs, elapsedMs(t1))
      }
      // One warm-up pass of each (page cache, statement cache, JIT), then RUNS rounds in which the
      // preview, the bare read and the rules alone are timed one after the other, so a busy spell on
      // the shared machine falls on all three alike; each figure is its best round. The strings the
      // rules run over are let go before the next preview, so neither side runs with the other's
      // 100,000 captions on its heap (a collector marking them would be charged to it), and each
      // timed part starts after a full collection, paying for its own garbage only.
      await preview()
      bareThenRules()
      for (let r = 0; r < RUNS; r++) {
        fullGc()
        const t0 = performance.now()
        const p = await preview()
        previewMs = Math.min(previewMs, elapsedMs(t0))
        scanned = p.scanned
        changed = p.changed
        bareThenRules()
      }
    } finally {
      await core.close()
    }
    ctx.log(
      `cleanup: preview ${round(previewMs, 0)} ms for ${scanned} images; bare read ${round(bareMs, 0)} ms; pipeline alone ${round(pipelineMs, 0)} ms`
    )

    return [
      figure({
        id: 'cleanup.preview',
        description: `cleanup.preview with all presets (${PRESETS.join(', ')}) over ${n} images`,
        measured: {
          name: `preview wall time, best of ${RUNS}`,
          value: round(previewMs, 1),
          unit: 'ms'
        },
        reference: {
          name: `bare read of the same zh/en captions and tags (same chunked query shape), best of ${RUNS}`,
          value: round(bareMs, 1),
          unit: 'ms'
        },
        target: null,
        details: {
          images: scanned,
          changed,
          captionsPerSecond: round(scanned / (previewMs / 1000), 0),
          bareReadCaptionsPerSecond: round(bareRows / (bareMs / 1000), 0),
          pipelineOnlyMs: round(pipelineMs, 1),
          pipelineOnlyCaptionsPerSecond: round(ruleItems / (pipelineMs / 1000), 0)
        }
      }),
      // issue 12: the preview (read, rules, guard, counts, diffs) at ≥ 0.75× the rate of the rules
      // alone over the same strings, i.e. at most 1/0.75 of their time
      figure({
        id: 'cleanup.previewVsRules',
        description: `cleanup.preview with all presets over ${n} images against the rules alone (runItem over the same captions in memory)`,
        measured: {
          name: `preview wall time, best of ${RUNS}`,
          value: round(previewMs, 1),
          unit: 'ms'
        },
        reference: {
          name: `the pipeline alone over the same ${ruleItems} captions, best of ${RUNS}`,
          value: round(pipelineMs, 1),
          unit: 'ms'
        },
        target: { of: 'ratio', max: round(1 / 0.75, 3) },
        details: {
          previewCaptionsPerSecond: round(scanned / (previewMs / 1000), 0),
          rulesCaptionsPerSecond: round(ruleItems / (pipelineMs / 1000), 0),
          rateRatio: round(pipelineMs / previewMs, 3)
        }
      })
    ]
  }
}
