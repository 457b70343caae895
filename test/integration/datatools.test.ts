/**
 * Issue 6 through the core API: round trips (import a fixture → export to each format through the
 * export job → import the export back with that format → same images and captions), format
 * auto-detection, per-row mismatch errors of the metadata importers, cleanup preview/apply/undo
 * (byte-exact, raw untouched), the kohya export's validation report and refusals.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCore, type Core } from '../../src-main/core'
import type { ExportProfileArg, ImageDetail, ResolvedImportFormat } from '../../src-main/shared/api'
import { ExportProfile } from '../../src-main/core/export'
import { PRESET_IDS } from '../../src-main/core/cleanup'
import {
  CLEANUP_PRESETS,
  DEFAULT_EXPORT_PROFILE,
  ExportProfileSchema
} from '../../src-main/shared/api'
import { writeImage } from '../fixtures/export/dataset'

const dirs: string[] = []
function tmp(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `glossa-dt-${prefix}-`))
  dirs.push(d)
  return d
}

let core: Core
beforeAll(() => {
  core = createCore({ dataDir: tmp('data') })
})
afterAll(async () => {
  await core.close()
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true })
})

/** Source captions: one language each (so "both" exports exactly that text), CJK, diacritics, multi-line. */
const CAPTIONS: Record<string, string> = {
  '10_mychar/a.png': '一位穿汉服的少女，站在西湖边',
  '10_mychar/a.jpg': 'a girl by West Lake, café crème, naïve Zoë',
  '10_mychar/b.webp': 'profile of the girl\nsecond variant — déjà vu',
  '3_ink style/c.png': '水墨山水画，远山与小舟\n第二行：雾中的塔',
  '3_ink style/d.jpg': 'the Great Wall in rain, señor Ångström'
}
const TAGS: Record<string, string[]> = {
  '10_mychar/a.png': ['1girl', 'hanfu'],
  '3_ink style/c.png': ['landscape', 'ink wash']
}

async function importDir(
  dir: string,
  datasetName: string,
  format: ResolvedImportFormat | 'auto' = 'auto',
  formatOptions: Record<string, unknown> = {}
) {
  const started = await core.call('import.start', { dir, datasetName, format, formatOptions })
  const job = await core.waitForJob(started.jobId)
  expect(job.status).toBe('done')
  return { ...started, job }
}

async function details(datasetId: number): Promise<ImageDetail[]> {
  const page = await core.call('images.page', { filter: { datasetId }, limit: 1000 })
  return Promise.all(page.rows.map((r) => core.call('images.get', { id: r.id })))
}

const captionOf = (d: ImageDetail) => ({
  zh: d.captions.zh?.text ?? '',
  en: d.captions.en?.text ?? ''
})

let srcRoot: string
let sourceId: number
let source: Map<string, ImageDetail> // by sha256

beforeAll(async () => {
  srcRoot = path.join(tmp('src'), 'scraped set')
  let n = 0
  for (const [rel, text] of Object.entries(CAPTIONS)) {
    const file = path.join(srcRoot, ...rel.split('/'))
    await writeImage(file, { color: `#${(0x203040 + 0x111111 * n++).toString(16)}` })
    fs.writeFileSync(file.replace(/\.[^.]+$/, '.txt'), text + '\r\n')
  }
  // a.png and a.jpg share a.txt (the kohya pairing rule): the last one written (en) wins
  const r = await importDir(srcRoot, 'source', 'folder')
  sourceId = r.datasetId
  const rows = await details(sourceId)
  for (const d of rows) {
    const tags = TAGS[d.relPath]
    if (tags)
      await core.call('captions.setTags', { imageId: d.id, tags: tags.map((tag) => ({ tag })) })
  }
  await core.call('images.setStatus', { ids: rows.map((d) => d.id), status: 'approved' })
  source = new Map((await details(sourceId)).map((d) => [d.sha256!, d]))
})

describe('contract mirrors', () => {
  it('cleanup presets match the engine; the exporter takes the contract profile and its defaults', () => {
    expect([...CLEANUP_PRESETS].sort()).toEqual([...PRESET_IDS].sort())
    expect(ExportProfile).toBe(ExportProfileSchema)
    for (const format of ['kohya', 'hf'] as const)
      expect(ExportProfile.parse({ format })).toEqual({ ...DEFAULT_EXPORT_PROFILE, format })
  })
})

const ROUND_TRIPS: { format: ExportProfileArg['format']; importAs: ResolvedImportFormat }[] = [
  { format: 'kohya', importAs: 'kohya' },
  { format: 'sdscripts', importAs: 'sdscripts' },
  { format: 'hf', importAs: 'hf' },
  { format: 'hunyuan', importAs: 'hunyuan' },
  { format: 'onetrainer', importAs: 'folder' }
]

describe('round trips through every format', () => {
  for (const { format, importAs } of ROUND_TRIPS) {
    it(`${format}: export through the job, detect, import back → same images and captions`, async () => {
      const out = path.join(tmp(`out-${format}`), 'export')
      // lines as alternatives keep multi-line captions apart where the trainer has alternatives;
      // HF and HunyuanDiT have none, so there the lines come back joined with a space
      const profile: ExportProfileArg = {
        format,
        caption: { language: 'both', lines: 'alternatives', includeTags: format === 'sdscripts' }
      }
      const joins = format === 'hf' || format === 'hunyuan'
      const expected = (d: ImageDetail) => {
        const c = captionOf(d)
        return joins ? { zh: c.zh.replace(/\n/g, ' '), en: c.en.replace(/\n/g, ' ') } : c
      }
      const { jobId, images } = await core.call('export.start', {
        datasetId: sourceId,
        profile,
        destination: out
      })
      expect(images).toBe(5)
      const job = await core.waitForJob(jobId)
      expect(job.status, job.error ?? '').toBe('done')
      const { report } = await core.call('export.report', { jobId })
      expect(report!.validation.ok, JSON.stringify(report!.validation.issues)).toBe(true)
      expect(report!.exported).toBe(5)

      const detected = await core.call('import.detect', { dir: out })
      expect(detected.format).toBe(importAs)
      expect(detected.rows.length).toBeGreaterThan(0)

      const back = await importDir(out, `back-${format}`)
      const errors = await core.call('jobs.errors', { id: back.jobId })
      expect(errors.items).toEqual([])
      const rows = await details(back.datasetId)
      expect(rows).toHaveLength(5)
      for (const d of rows) {
        const orig = source.get(d.sha256!)
        expect(orig, d.relPath).toBeDefined()
        expect(captionOf(d), d.relPath).toEqual(expected(orig!))
        if (format === 'sdscripts') expect(d.tags).toEqual(orig!.tags)
        if (format === 'kohya') {
          expect(d.concept).toBe(orig!.concept)
          expect(d.repeats).toBe(orig!.repeats)
        }
      }
    })
  }
})

describe('import formats', () => {
  it('HF metadata.jsonl: caption column selectable; mismatches reported per row', async () => {
    const root = path.join(tmp('hf'), 'set')
    await writeImage(path.join(root, 'train', 'one.png'), { color: '#101010' })
    await writeImage(path.join(root, 'train', 'two.png'), { color: '#202020' })
    await writeImage(path.join(root, 'train', 'orphan.png'), { color: '#303030' })
    const lines = [
      { file_name: 'one.png', text: 'english one', text_zh: '第一张' },
      { file_name: 'two.png', text: 'english two', text_zh: '第二张' },
      { file_name: 'missing.png', text: 'no image', text_zh: '没有图' },
      { file_name: 'one.png', text: 'dup', text_zh: '重复' }
    ]
    fs.writeFileSync(
      path.join(root, 'train', 'metadata.jsonl'),
      lines.map((l) => JSON.stringify(l)).join('\n') + '\n{broken\n'
    )
    const det = await core.call('import.detect', { dir: root })
    expect(det.format).toBe('hf')
    expect(det.columns).toEqual(expect.arrayContaining(['file_name', 'text', 'text_zh']))
    expect(det.rows.map((r) => r.image)).toEqual([
      'train/one.png',
      'train/two.png',
      null,
      'train/one.png'
    ])
    const r = await importDir(root, 'hf-zh', 'hf', { captionColumn: 'text_zh' })
    const rows = await details(r.datasetId)
    const byName = new Map(rows.map((d) => [d.fileName, d]))
    expect(byName.get('one.png')!.captions.zh!.text).toBe('第一张')
    expect(byName.get('two.png')!.captions.zh!.text).toBe('第二张')
    expect(byName.get('orphan.png')!.captions.zh).toBeNull()
    const errs = (await core.call('jobs.errors', { id: r.jobId })).items.map((e) => e.error)
    expect(errs).toHaveLength(4)
    expect(errs).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/line 3: caption without image — "missing.png"/),
        expect.stringMatching(/line 4: duplicate key — "one.png" is the same image as .*line 1/),
        expect.stringMatching(/line 5: not JSON/),
        expect.stringMatching(/image without caption: train\/orphan.png has no row/)
      ])
    )
  })

  it('sd-scripts JSON with stem keys, relative keys and an ambiguous stem', async () => {
    const root = path.join(tmp('sd'), 'ft')
    await writeImage(path.join(root, 'img', 'p1.png'), { color: '#111111' })
    await writeImage(path.join(root, 'img', 'p2.jpg'), { color: '#222222' })
    await writeImage(path.join(root, 'img', 'twin.png'), { color: '#333333' })
    await writeImage(path.join(root, 'img', 'twin.jpg'), { color: '#444444' })
    fs.writeFileSync(
      path.join(root, 'meta_clean.json'),
      JSON.stringify({
        p1: { caption: 'first by stem', tags: 'a, b' },
        'img/p2.jpg': { caption: '第二张，相对路径', tags: 'c' },
        twin: { caption: 'which one?' }
      })
    )
    expect((await core.call('import.detect', { dir: root })).format).toBe('sdscripts')
    const r = await importDir(root, 'sd-stems')
    const byName = new Map((await details(r.datasetId)).map((d) => [d.fileName, d]))
    expect(byName.get('p1.png')!.captions.en!.text).toBe('first by stem')
    expect(byName.get('p1.png')!.tags).toEqual(['a', 'b'])
    expect(byName.get('p2.jpg')!.captions.zh!.text).toBe('第二张，相对路径')
    const errs = (await core.call('jobs.errors', { id: r.jobId })).items.map((e) => e.error)
    expect(errs.filter((e) => /2 images share that name/.test(e))).toHaveLength(1)
    expect(errs.filter((e) => /image without caption: img\/twin/.test(e))).toHaveLength(2)
  })

  it('HunyuanDiT CSV (utf-8-sig, image_path only, multi-line text_zh) is detected and read', async () => {
    const root = path.join(tmp('hy'), 'porcelain')
    await writeImage(path.join(root, 'images', 'v1.png'), { color: '#123456' })
    await writeImage(path.join(root, 'images', 'v2.jpg'), { color: '#654321' })
    fs.mkdirSync(path.join(root, 'csvfile'))
    fs.writeFileSync(
      path.join(root, 'csvfile', 'image_text.csv'),
      '\uFEFFimage_path,text_zh\r\nimages/v1.png,"青花瓷风格，一只蓝色的鸟儿\n第二行"\r\nimages/nope.png,没有\r\n'
    )
    const det = await core.call('import.detect', { dir: root })
    expect(det.format).toBe('hunyuan')
    const r = await importDir(root, 'hy')
    const byName = new Map((await details(r.datasetId)).map((d) => [d.fileName, d]))
    expect(byName.get('v1.png')!.captions.zh!.text).toBe('青花瓷风格，一只蓝色的鸟儿\n第二行')
    const errs = (await core.call('jobs.errors', { id: r.jobId })).items.map((e) => e.error)
    expect(errs).toHaveLength(2)
    expect(errs).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/image_text.csv row 3: caption without image — "images\/nope.png"/),
        expect.stringMatching(/image without caption: images\/v2.jpg/)
      ])
    )
  })

  it('kohya layout: img/ + reg/ detected, reg images flagged and exported as reg subsets', async () => {
    const root = path.join(tmp('kohya'), 'proj')
    await writeImage(path.join(root, 'img', '5_sks dog', 'd1.png'), { color: '#0a0a0a' })
    fs.writeFileSync(path.join(root, 'img', '5_sks dog', 'd1.txt'), 'sks dog on grass\n')
    await writeImage(path.join(root, 'reg', '1_dog', 'r1.png'), { color: '#0b0b0b' })
    fs.writeFileSync(path.join(root, 'reg', '1_dog', 'r1.txt'), 'a dog\n')
    fs.writeFileSync(path.join(root, 'img', '5_sks dog', 'stray.txt'), 'no image\n')
    const det = await core.call('import.detect', { dir: root })
    expect(det.format).toBe('kohya')
    expect(det.rows.find((r) => r.image === 'reg/1_dog/r1.png')?.isReg).toBe(true)
    const r = await importDir(root, 'kohya-proj')
    const errs = (await core.call('jobs.errors', { id: r.jobId })).items
    expect(errs).toHaveLength(1)
    expect(errs[0]!.error).toMatch(/caption without image: img\/5_sks dog\/stray.txt/)

    const out = path.join(tmp('kohya-out'), 'ds')
    const { jobId } = await core.call('export.start', {
      datasetId: r.datasetId,
      profile: { format: 'kohya', kohya: { classTokens: { 'sks dog': 'dog' } } },
      status: 'any',
      destination: out
    })
    expect((await core.waitForJob(jobId)).status).toBe('done')
    const { report } = await core.call('export.report', { jobId })
    expect(report!.validation.ok).toBe(true)
    const subsets = report!.validation.subsets.map((s) => ({
      repeats: s.repeats,
      classTokens: s.classTokens,
      isReg: s.isReg,
      images: s.images,
      captions: s.captions
    }))
    expect(subsets).toEqual(
      expect.arrayContaining([
        { repeats: 5, classTokens: 'sks dog dog', isReg: false, images: 1, captions: 1 },
        { repeats: 1, classTokens: 'dog', isReg: true, images: 1, captions: 1 }
      ])
    )
    expect(fs.readFileSync(path.join(out, 'img', '5_sks dog dog', 'd1.txt'), 'utf8')).toBe(
      'sks dog on grass\n'
    )
  })
})

describe('export refusals through the API (nothing written, no job)', () => {
  const profile: ExportProfileArg = { format: 'kohya' }
  const jobsBefore = async () =>
    (await core.call('jobs.list', { limit: 500 })).filter((j) => j.kind === 'export').length

  it('destination inside a source, around a source, non-empty; unsafe names; nothing approved', async () => {
    const n = await jobsBefore()
    const inside = path.join(srcRoot, '10_mychar', 'out')
    await expect(
      core.call('export.start', { datasetId: sourceId, profile, destination: inside })
    ).rejects.toMatchObject({ code: 'FORBIDDEN' })
    expect(fs.existsSync(inside)).toBe(false)
    await expect(
      core.call('export.start', {
        datasetId: sourceId,
        profile,
        destination: path.dirname(srcRoot)
      })
    ).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/contains/) })
    const full = tmp('full')
    fs.writeFileSync(path.join(full, 'keep.txt'), 'x')
    await expect(
      core.call('export.start', { datasetId: sourceId, profile, destination: full })
    ).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/not empty/) })
    expect(fs.readdirSync(full)).toEqual(['keep.txt'])
    const fresh = path.join(tmp('fresh'), 'x')
    for (const cls of ['../../x', 'CON']) {
      await expect(
        core.call('export.start', {
          datasetId: sourceId,
          profile: { format: 'kohya', kohya: { classTokens: { mychar: cls } } },
          destination: fresh
        })
      ).rejects.toMatchObject({ code: 'INVALID_ARGS' })
    }
    expect(fs.existsSync(fresh)).toBe(false)
    const plan = await core.call('export.plan', {
      datasetId: sourceId,
      profile,
      destination: inside
    })
    expect(plan.destinationProblem).toMatch(/inside the source folder/)
    expect(plan.subsets.map((s) => [s.folder, s.images])).toEqual([
      ['img/3_ink style', 2],
      ['img/10_mychar', 3]
    ])
    expect(plan.renamed).toHaveLength(1) // a.png + a.jpg: one stem is renamed
    expect(await jobsBefore()).toBe(n)
  })

  it('saved profiles round-trip and drive export.plan', async () => {
    const rec = await core.call('export.profiles.save', {
      name: 'HF en',
      profile: { format: 'hf', caption: { language: 'en' } }
    })
    expect((await core.call('export.profiles.list', {})).map((p) => p.name)).toContain('HF en')
    await expect(
      core.call('export.profiles.save', { name: 'hf EN', profile: { format: 'kohya' } })
    ).rejects.toMatchObject({ code: 'CONFLICT' })
    const plan = await core.call('export.plan', { datasetId: sourceId, profileId: rec.id })
    expect(plan.format).toBe('hf')
    expect(plan.images).toBe(5)
    expect(plan.bytes).toBeGreaterThan(0)
    expect(await core.call('export.profiles.delete', { id: rec.id })).toEqual({ deleted: true })
  })
})

describe('cleanup through the API', () => {
  let dsId: number
  beforeAll(async () => {
    const root = path.join(tmp('scrape'), 'web')
    const caps = [
      'a cat on a sofa https://example.com/cat.jpg #cute @bob',
      '一只猫在沙发上 图片来源：网络 http://img.cn/1.png',
      'clean caption, nothing to do',
      'stock photo of a dog &amp; a ball'
    ]
    for (let i = 0; i < caps.length; i++) {
      await writeImage(path.join(root, `w${i}.png`), { color: `#${(i + 1) * 30}0000`.slice(0, 7) })
      fs.writeFileSync(path.join(root, `w${i}.txt`), caps[i]!)
    }
    dsId = (await importDir(root, 'scraped')).datasetId
  })

  it('preview counts, apply as one batch, undo byte-exact, raw untouched', async () => {
    const target = { datasetId: dsId }
    const before = await details(dsId)
    const preview = await core.call('cleanup.preview', {
      target,
      presets: ['web-scrape'],
      limit: 2
    })
    expect(preview.scanned).toBe(4)
    expect(preview.changed).toBe(3)
    expect(preview.items).toHaveLength(2)
    expect(preview.truncated).toBe(true)
    const count = (rule: string) => preview.totals.find((t) => t.rule === rule)?.count
    expect(count('url')).toBe(2)
    expect(count('hashtag')).toBe(1)
    expect(count('mention')).toBe(1)
    expect(preview.items[0]!.diff.en?.some((p) => p.op === '-' && p.text.includes('https'))).toBe(
      true
    )

    const applied = await core.call('cleanup.apply', {
      target,
      presets: ['web-scrape'],
      excludeImageIds: []
    })
    expect(applied.changed).toBe(3)
    expect(applied.batchId).not.toBeNull()
    const after = await details(dsId)
    const cat = after.find((d) => d.fileName === 'w0.png')!
    expect(cat.captions.en!.text).not.toMatch(/https|#cute|@bob/)
    expect(cat.captions.en!.source).toBe('cleanup')
    for (const d of after) {
      const b = before.find((x) => x.id === d.id)!
      expect(d.raw).toBe(b.raw)
    }
    const hist = await core.call('history.list', {})
    expect(hist[0]!.id).toBe(applied.batchId)
    expect(hist[0]!.label).toMatch(/Cleanup: web-scrape/)

    await core.call('history.undo', {})
    const undone = await details(dsId)
    for (const d of undone) {
      const b = before.find((x) => x.id === d.id)!
      expect(d.captions).toEqual(b.captions)
      expect(d.tagRows).toEqual(b.tagRows)
      expect(d.raw).toBe(b.raw)
    }
  })

  it('user rules: saved per dataset, tested live, used by preview when not given', async () => {
    // (a+)+ runs in linear time (RE2): accepted; a backreference cannot run there: refused
    const nested = await core.call('cleanup.rules.test', {
      rule: { id: 'nested', find: '(a+)+', replace: '', regex: true },
      samples: ['aaa']
    })
    expect(nested.ok).toBe(true)
    const bad = await core.call('cleanup.rules.test', {
      rule: { id: 'backref', find: '(a)\\1', replace: '', regex: true },
      samples: ['aaa']
    })
    expect(bad.ok).toBe(false)
    expect(bad.error).toMatch(/backreference/)
    const ok = await core.call('cleanup.rules.test', {
      rule: { id: 'sofa', find: 'so(f)a', replace: 'couch', regex: true },
      samples: ['a cat on a sofa', 'nothing']
    })
    expect(ok.results.map((r) => [r.output, r.count])).toEqual([
      ['a cat on a couch', 1],
      ['nothing', 0]
    ])
    await expect(
      core.call('cleanup.rules.save', {
        datasetId: dsId,
        rules: [{ id: 'x', find: '(', replace: '', regex: true }]
      })
    ).rejects.toMatchObject({ code: 'INVALID_ARGS' })
    await core.call('cleanup.rules.save', {
      datasetId: dsId,
      rules: [{ id: 'sofa', find: 'sofa', replace: 'couch' }]
    })
    expect((await core.call('cleanup.rules.get', { datasetId: dsId })).rules).toHaveLength(1)
    const p = await core.call('cleanup.preview', {
      target: { datasetId: dsId },
      userRules: undefined,
      presets: ['kohya']
    })
    expect(p.totals.find((t) => t.rule === 'user:sofa')?.count).toBe(1)
    const none = await core.call('cleanup.preview', {
      target: { datasetId: dsId },
      presets: ['kohya'],
      userRules: []
    })
    expect(none.totals.find((t) => t.rule === 'user:sofa')).toBeUndefined()
  })
})
