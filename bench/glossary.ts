/**
 * Issue 5: glossary apply preview over 100,000 captions with 1,000 entries, through core.call as
 * the studio and the CLI call it (the matching is one compiled automaton). Reference, measured in
 * the same run on the same file: a bare scan reading the same caption texts (and tags) from
 * SQLite in image-id order, with no matching at all.
 */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { createCore } from '../src-main/core'
import type { GlossaryEntryDataInput, Result } from '../src-main/shared/api'
import { figure, round, type Benchmark, type Figure } from './types'
import { elapsedMs, prng, seededCopy, summarize } from './util'

const ENTRIES = 1000

/**
 * 1,000 entries: a dozen that match the seeded phrases (广州塔 ← 小蛮腰/a tall tower, …, some
 * tag-triggered inserts) and the rest synthetic names and aliases, mostly not present, so the
 * automaton is realistically large while a share of the captions really changes.
 */
function makeEntries(): GlossaryEntryDataInput[] {
  const rnd = prng(5)
  const han = (k: number): string => {
    let s = ''
    for (let i = 0; i < k; i++) s += String.fromCharCode(0x4e00 + Math.floor(rnd() * 20_000))
    return s
  }
  const real: GlossaryEntryDataInput[] = [
    {
      name: { zh: '广州塔', en: 'the Canton Tower' },
      aliases: { zh: ['小蛮腰'], en: ['a tall tower'] },
      kind: 'landmark'
    },
    {
      name: { zh: '橘猫', en: 'a ginger cat' },
      aliases: { zh: ['一只橘猫'], en: ['an orange cat'] },
      kind: 'term'
    },
    {
      name: { zh: '外滩', en: 'the Bund' },
      aliases: { zh: ['上海外滩的建筑群'], en: [] },
      kind: 'landmark'
    },
    {
      name: { zh: '西湖断桥', en: 'the Broken Bridge' },
      aliases: { zh: ['西湖的断桥'], en: ['an old stone bridge'] },
      kind: 'landmark'
    },
    {
      name: { zh: '汉服', en: 'hanfu' },
      aliases: { zh: [], en: [] },
      kind: 'style',
      triggers: { tags: ['hanfu'], keywords: [], regex: [], paths: [] },
      injection: { target: 'style', mode: 'insert-if-absent' }
    },
    {
      name: { zh: '兰州牛肉面', en: 'Lanzhou beef noodles' },
      aliases: { zh: ['一碗牛肉面'], en: ['a bowl of beef noodles'] },
      kind: 'food'
    }
  ]
  const out = [...real]
  for (let i = out.length; i < ENTRIES; i++) {
    out.push({
      name: { zh: han(4), en: `Entry ${i} Place` },
      aliases: { zh: [han(3), han(5)], en: [`alias${i} spot`, `the ${i}th corner`] },
      kind: 'term',
      ...(i % 10 === 0
        ? { triggers: { tags: [`tag${i}`], keywords: [], regex: [], paths: [] } }
        : {})
    })
  }
  return out
}

export const glossaryPreview: Benchmark = {
  name: 'glossary',
  issue: 5,
  description: 'glossary apply preview over a large library with 1,000 entries',
  async run(ctx): Promise<Figure[]> {
    const n = ctx.quick ? 20_000 : 100_000
    const runs = ctx.quick ? 2 : 3
    const lib = await seededCopy(ctx, n, 11)
    const core = createCore({ dataDir: ctx.tmpDir, libraryFile: lib })
    const bare = new Database(lib, { readonly: true })
    try {
      const ds = (await core.call('datasets.list', {}))[0]
      if (!ds) throw new Error('seeded library has no dataset')
      const file = path.join(ctx.tmpDir, 'entries.json')
      fs.writeFileSync(
        file,
        JSON.stringify({ format: 'glossa.glossary', version: 1, entries: makeEntries() })
      )
      const imported = await core.call('glossary.import', { file, datasetId: ds.id })
      if (imported.rowErrors.length)
        throw new Error(`entries refused: ${JSON.stringify(imported.rowErrors.slice(0, 3))}`)
      ctx.log(`glossary: ${ds.images} images, ${imported.added} entries; previewing…`)

      // the physical reference: read the same captions and tags, nothing else
      const capStmt = bare.prepare(
        `SELECT c.image_id, c.lang, c.text FROM captions c JOIN images i ON i.id = c.image_id
         WHERE i.dataset_id = ? ORDER BY c.image_id`
      )
      const tagStmt = bare.prepare(
        `SELECT t.image_id, t.tag FROM tags t JOIN images i ON i.id = t.image_id
         WHERE i.dataset_id = ? ORDER BY t.image_id, t.position`
      )
      const scan = (): number => {
        let chars = 0
        for (const r of capStmt.iterate(ds.id) as Iterable<{ text: string }>) chars += r.text.length
        for (const r of tagStmt.iterate(ds.id) as Iterable<{ tag: string }>) chars += r.tag.length
        return chars
      }
      const captions = (
        bare
          .prepare(
            'SELECT count(*) AS n FROM captions c JOIN images i ON i.id = c.image_id WHERE i.dataset_id = ?'
          )
          .get(ds.id) as { n: number }
      ).n

      const refSamples: number[] = []
      const samples: number[] = []
      let last: Result<'glossary.preview'> | null = null
      for (let i = 0; i < runs; i++) {
        let t0 = performance.now()
        scan()
        refSamples.push(elapsedMs(t0))
        t0 = performance.now()
        last = await core.call('glossary.preview', { target: { datasetId: ds.id }, limit: 200 })
        samples.push(elapsedMs(t0))
        ctx.log(
          `  run ${i + 1}: preview ${Math.round(samples[i]!)} ms, bare scan ${Math.round(refSamples[i]!)} ms`
        )
      }
      const full = summarize(samples)
      const ref = summarize(refSamples)
      const per1000 = (ms: number): number => round((ms * 1000) / n, 3)
      const details = {
        images: last?.scanned ?? n,
        captions,
        entries: last?.entries,
        changedImages: last?.total,
        runs,
        previewMs: samples.map((s) => round(s, 1)),
        coldPreviewMs: round(samples[0] ?? 0, 1),
        bareScanMs: refSamples.map((s) => round(s, 1))
      }
      return [
        figure({
          id: 'glossary.preview',
          description: `glossary.preview of a whole dataset of ${n} images (${captions} captions) with ${ENTRIES} entries, via core.call (median of ${runs})`,
          measured: { name: 'full preview (median)', value: round(full.p50, 1), unit: 'ms' },
          reference: {
            name: 'bare scan of the same captions and tags (median)',
            value: round(ref.p50, 1),
            unit: 'ms'
          },
          target: { of: 'value', max: 10_000 },
          details
        }),
        figure({
          id: 'glossary.previewPer1000',
          description: 'the same preview, per 1,000 images',
          measured: {
            name: 'preview per 1,000 images',
            value: per1000(full.p50),
            unit: 'ms'
          },
          reference: { name: 'bare scan per 1,000 images', value: per1000(ref.p50), unit: 'ms' },
          target: { of: 'value', max: 100 },
          details
        })
      ]
    } finally {
      bare.close()
      await core.close()
    }
  }
}
