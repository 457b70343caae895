/**
 * Issue 10: every approved caption reaches the trainer. For each of the five formats, the corpus
 * (zh only, en only, both, none, tags only, multi-line, braces, `{|}`, whitespace only, CJK and
 * space names, upper-case extensions, a stem shared by two folders) is exported with the defaults
 * and with each language option, MOVED to another folder, read back by test-side trainer readers
 * (relative paths against the folder the trainer runs from) and compared with the library image
 * by image — images matched by their bytes, texts worked out here from the library captions.
 * Glossa's own validation of the moved export must agree, and must fail, naming the image, when
 * an export is tampered with or its absolute paths no longer hold.
 */
import fs from 'node:fs'
import path from 'node:path'
import { parse as parseCsv } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runExport, validateExport, type ExportFormat } from '../../src-main/core/export'
import {
  corpusSources,
  expectedTexts,
  makeCorpus,
  sha256,
  type Corpus
} from '../fixtures/export/corpus'
import { tempDir } from '../fixtures/export/dataset'
import { TRAINERS } from '../fixtures/export/trainers'

const FORMATS: ExportFormat[] = ['kohya', 'sdscripts', 'hf', 'hunyuan', 'onetrainer']
const LANGUAGES = ['auto', 'zh', 'en', 'both'] as const
const REG_FORMATS = new Set(['kohya', 'onetrainer'])

let tmp: string
let corpus: Corpus
beforeAll(async () => {
  tmp = tempDir('glossa-fidelity-')
  corpus = await makeCorpus(tmp)
})
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true })
})

let n = 0
/** exports into a fresh folder, then moves the export somewhere else */
async function exportAndMove(
  format: ExportFormat,
  caption: Record<string, unknown> = {},
  extra: Record<string, unknown> = {}
) {
  const dest = path.join(tmp, `out-${++n}`, format)
  const res = await runExport({
    images: corpus.images,
    profile: { format, caption, ...extra },
    destination: dest
  })
  const moved = path.join(tmp, 'moved', `${n}`, `${format} 导出`)
  fs.mkdirSync(path.dirname(moved), { recursive: true })
  fs.renameSync(dest, moved)
  return { res, moved }
}

/** The trainer's reading of the moved export, per library image (matched by file bytes). */
function trainedByImage(format: ExportFormat, root: string): Map<number, string[]> {
  const out = new Map<number, string[]>()
  for (const t of TRAINERS[format]!(root)) {
    const img = corpus.bySha.get(sha256(fs.readFileSync(t.file)))
    expect(img, `${t.file} is no library image`).toBeDefined()
    expect(out.has(img!.id), `${img!.label} read twice`).toBe(false)
    out.set(img!.id, [...new Set(t.texts)].sort())
  }
  return out
}

function expectFidelity(
  format: ExportFormat,
  root: string,
  opts: Parameters<typeof expectedTexts>[1]
): void {
  const got = trainedByImage(format, root)
  const wanted = corpus.images.filter((i) => !i.isReg || REG_FORMATS.has(format))
  expect([...got.keys()].sort((a, b) => a - b)).toEqual(wanted.map((i) => i.id))
  for (const img of wanted)
    expect(got.get(img.id), `${format} ${opts.language}: ${img.label}`).toEqual(
      expectedTexts(img, opts).sort()
    )
}

describe.each(FORMATS)('%s export fidelity', (format) => {
  it.each(LANGUAGES)(
    'language %s: moved, read back as the trainer reads it, every image trains on its approved caption',
    async (language) => {
      const { res, moved } = await exportAndMove(format, language === 'auto' ? {} : { language })
      expect(res.validation.ok, JSON.stringify(res.validation.issues)).toBe(true)
      expectFidelity(format, moved, { format, language })
      // Glossa's validation of the MOVED export agrees, image by image
      const v = await validateExport(moved, format)
      expect(v.ok, JSON.stringify(v.issues)).toBe(true)
      const exported = res.exported
      expect(v.fidelity).toEqual({ checked: exported, matched: exported })
      expect(v.runFromExport).toBe(format !== 'hf')
      expect(res.captions.sources).toEqual(corpusSources(corpus.images, format, language))
      const readme = fs.readFileSync(path.join(moved, 'README.txt'), 'utf8')
      if (format === 'hf') expect(readme).toContain('relative to metadata.jsonl')
      else expect(readme).toMatch(/cd into the export folder|start it from inside the export/)
    }
  )

  if (['kohya', 'sdscripts', 'onetrainer'].includes(format))
    it('lines as alternatives, both languages: each line and language one alternative', async () => {
      const { res, moved } = await exportAndMove(format, {
        language: 'both',
        lines: 'alternatives'
      })
      expect(res.validation.ok, JSON.stringify(res.validation.issues)).toBe(true)
      expect(res.captions).toMatchObject({ lines: 'alternatives', primary: 'both' })
      expect(res.captions.wildcard).toBe(format !== 'onetrainer')
      expectFidelity(format, moved, { format, language: 'both', alternatives: true })
      expect((await validateExport(moved, format)).ok).toBe(true)
    })
})

describe('defaults write no random choice', () => {
  it('kohya and sd-scripts leave enable_wildcard off unless lines are alternatives', async () => {
    for (const format of ['kohya', 'sdscripts'] as const) {
      const { res, moved } = await exportAndMove(format)
      expect(res.captions.lines).toBe('join')
      expect(res.captions.multiLine).toBeGreaterThan(0)
      expect(fs.readFileSync(path.join(moved, 'dataset_config.toml'), 'utf8')).not.toContain(
        'enable_wildcard'
      )
    }
  })

  it('braces stay literal with enable_wildcard on: escaped in sidecars AND fine-tune metadata', async () => {
    const braces = corpus.images.find((i) => i.label === 'braces')!
    const only = corpus.images.find((i) => i.label === 'only {|}')!
    const k = await exportAndMove('kohya', { lines: 'alternatives' })
    const dir = path.join(k.moved, 'img', '1_mychar')
    expect(fs.readFileSync(path.join(dir, 'braces.txt'), 'utf8')).toBe(
      'a {{red|blue}} lantern, {{{{doubled}}}} and a lone }} brace\n'
    )
    expect(fs.readFileSync(path.join(dir, 'only-braces.txt'), 'utf8')).toBe('{{|}}\n')
    const s = await exportAndMove('sdscripts', { lines: 'alternatives' })
    const meta = JSON.parse(
      fs.readFileSync(path.join(s.moved, 'metadata', '01_mychar.json'), 'utf8')
    ) as Record<string, { caption: string }>
    expect(meta['images/mychar/only-braces.png']!.caption).toBe('{{|}}')
    for (const m of [k.moved, s.moved]) {
      const fmt = m === k.moved ? 'kohya' : 'sdscripts'
      const got = trainedByImage(fmt, m)
      expect(got.get(braces.id)).toEqual([braces.en])
      expect(got.get(only.id)).toEqual(['{|}'])
    }
  })
})

describe('validation fails, naming the image, when the trainer would read something else', () => {
  it('a caption edited after the export', async () => {
    const { moved } = await exportAndMove('kohya')
    const file = path.join(moved, 'img', '1_mychar', 'en-only.txt')
    fs.writeFileSync(file, 'something else\n')
    const v = await validateExport(moved, 'kohya')
    expect(v.ok).toBe(false)
    expect(v.issues).toContainEqual(
      expect.objectContaining({
        level: 'error',
        path: path.join(moved, 'img', '1_mychar', 'en-only.jpg'),
        message: expect.stringMatching(
          /trains on "something else", but the approved caption is "a girl by West Lake, café crème"/
        )
      })
    )
    expect(v.fidelity.matched).toBe(v.fidelity.checked - 1)
  })

  it('an unescaped wildcard becomes a random choice', async () => {
    const { moved } = await exportAndMove('kohya', { lines: 'alternatives' })
    fs.writeFileSync(path.join(moved, 'img', '1_mychar', 'only-braces.txt'), '{|}\n')
    const v = await validateExport(moved, 'kohya')
    expect(v.issues.find((i) => i.path?.endsWith('only-braces.png'))?.message).toMatch(
      /trains on "", but the approved caption is "\{\|\}"/
    )
  })

  it('a multi-line caption read with enable_wildcard off trains on its first line only', async () => {
    const { moved } = await exportAndMove('kohya', { lines: 'alternatives' })
    const toml = path.join(moved, 'dataset_config.toml')
    fs.writeFileSync(toml, fs.readFileSync(toml, 'utf8').replace('enable_wildcard = true', ''))
    const v = await validateExport(moved, 'kohya')
    expect(v.issues.find((i) => i.path?.endsWith('multi.png'))?.message).toMatch(
      /trains on "profile of the girl", but the approved caption is/
    )
  })

  it('a HunyuanDiT caption pandas reads as NaN', async () => {
    const { moved } = await exportAndMove('hunyuan')
    const csv = path.join(moved, 'csvfile', 'image_text.csv')
    fs.writeFileSync(csv, fs.readFileSync(csv, 'utf8').replace('photo three', 'None'))
    const v = await validateExport(moved, 'hunyuan')
    expect(v.issues.find((i) => i.path?.endsWith('Photo 3.png'))?.message).toMatch(
      /pandas reads text_zh "None" as a missing value/
    )
  })

  it('absolute paths: valid where written, broken once moved; relative paths survive the move', async () => {
    for (const format of ['kohya', 'sdscripts', 'hunyuan', 'onetrainer'] as const) {
      const dest = path.join(tmp, `abs-${format}`)
      const res = await runExport({
        images: corpus.images,
        profile: { format, paths: 'absolute' },
        destination: dest
      })
      expect(res.validation.ok, JSON.stringify(res.validation.issues)).toBe(true)
      expect(res.validation.runFromExport).toBe(false)
      expect(res.portability).toMatchObject({ paths: 'absolute', runFromExport: false })
      const moved = path.join(tmp, `abs-${format}-moved`)
      fs.renameSync(dest, moved)
      const v = await validateExport(moved, format)
      expect(v.ok, format).toBe(false)
      expect(
        v.issues.some((i) => /does not (exist|find)|no metadata|missing/.test(i.message))
      ).toBe(true)
    }
  })
})

describe('format details', () => {
  it('HF: every row has the same columns, empty strings rather than missing keys', async () => {
    const { moved } = await exportAndMove('hf')
    const rows = fs
      .readFileSync(path.join(moved, 'train', 'metadata.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    const keys = Object.keys(rows[0]!).sort()
    expect(keys).toEqual(
      ['caption_source', 'concept', 'file_name', 'tags', 'text', 'text_en', 'text_zh'].sort()
    )
    for (const r of rows) {
      expect(Object.keys(r).sort()).toEqual(keys)
      for (const v of Object.values(r)) expect(typeof v).toBe('string')
    }
    const zhOnly = rows.find((r) => r.file_name === 'mychar/zh-only.png')!
    expect(zhOnly).toMatchObject({ text_en: '', text_zh: '一位穿汉服的少女，站在西湖边' })
  })

  it('HunyuanDiT: text_zh holds Chinese first; image_path and img_path are relative', async () => {
    const { moved } = await exportAndMove('hunyuan')
    const rows = parseCsv(fs.readFileSync(path.join(moved, 'csvfile', 'image_text.csv')), {
      columns: true
    }) as Array<Record<string, string>>
    const both = rows.find((r) => r.image_path === 'images/mychar/both.webp')!
    expect(both).toEqual({
      img_path: 'images/mychar/both.webp',
      image_path: 'images/mychar/both.webp',
      text_zh: '雨中的长城, landscape'
    })
  })

  it('OneTrainer: every concept carries a fixed seed, the same on every export', async () => {
    const seeds = async () => {
      const { moved } = await exportAndMove('onetrainer')
      return (
        JSON.parse(
          fs.readFileSync(path.join(moved, 'training_concepts', 'concepts.json'), 'utf8')
        ) as Array<{ seed: number; path: string }>
      ).map((c) => [c.path, c.seed])
    }
    const a = await seeds()
    expect(a.every(([, s]) => Number.isInteger(s))).toBe(true)
    expect(await seeds()).toEqual(a)
    expect(a.map(([p]) => p).sort()).toEqual(['images/mychar', 'images/水墨 style', 'reg/girl'])
  })
})
