/**
 * `glossa cleanup`, `glossa export` and `glossa import --format`, run for real as child processes
 * (tsx on the source) against a temp library built from a scraped-style folder (captions with
 * URLs, HTML, hashtags, @mentions, 图片来源 boilerplate): a cleanup dry run that reports per-rule
 * counts and diffs and writes nothing, an apply that removes the noise as one batch and
 * `glossa undo` restoring every caption byte for byte; a kohya export with --status any whose
 * files exist and whose validation passes; refusals (destination inside the source, non-empty
 * destination) with exit status 1 and nothing written; and an HF folder imported with
 * --format hf and a chosen caption column.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CleanupRuleTotal, ExportReport } from '../../src-main/shared/api'
import { captionRows, cliJson, readLibrary, runGlossa, type CliRun } from '../fixtures/cli'

/** file stem → sidecar caption: noise a scraper leaves behind, in zh and en */
const SCRAPED: Record<string, string> = {
  fox: 'A red fox in the snow https://example.com/fox.jpg #wildlife #fox',
  lake: '<p>A <b>blue</b> lake at dawn</p> &amp; mountains',
  cat: '一只橘猫坐在窗台上。图片来源：网络',
  street: 'A city street at night @citypics',
  tower: '夜幕下的广州塔，灯光璀璨',
  clean: 'A quiet garden with a stone bridge'
}

let tmp: string
let lib: string
let src: string

const glossa = (args: string[]): Promise<CliRun> => runGlossa(args, { tmp, library: lib })
/** `glossa export` of the scraped dataset to kohya, every review status */
const exportKohya = (out: string, ...more: string[]): Promise<CliRun> =>
  glossa([
    'export',
    '--dataset',
    'scraped',
    '--format',
    'kohya',
    '--out',
    out,
    '--status',
    'any',
    ...more
  ])

/** Every caption row (text as bytes) and every tag, straight from the library file. */
function dump(): unknown[] {
  return readLibrary(lib, (db) => [
    ...captionRows(db),
    ...db.prepare('SELECT image_id, tag, position FROM tags ORDER BY image_id, position').all(),
    ...db.prepare('SELECT id, CAST(raw_caption AS BLOB) AS raw FROM images ORDER BY id').all()
  ])
}

/** file name → current caption per language of one dataset */
function captions(dataset: string): Map<string, { zh?: string; en?: string }> {
  const rows = readLibrary(
    lib,
    (db) =>
      db
        .prepare(
          `SELECT i.file_name AS f, c.lang, c.text FROM images i
             JOIN datasets d ON d.id = i.dataset_id
             JOIN captions c ON c.image_id = i.id
            WHERE d.name = ?`
        )
        .all(dataset) as { f: string; lang: 'zh' | 'en'; text: string }[]
  )
  const out = new Map<string, { zh?: string; en?: string }>()
  for (const r of rows) out.set(r.f, { ...out.get(r.f), [r.lang]: r.text })
  return out
}

async function png(file: string, i: number): Promise<void> {
  await sharp({
    create: { width: 48 + i * 8, height: 40, channels: 3, background: { r: i * 40, g: 90, b: 160 } }
  })
    .png()
    .toFile(file)
}

beforeAll(async () => {
  tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'glossa-cli-datatools-'))
  lib = path.join(tmp, 'library.sqlite')
  src = path.join(tmp, 'scraped')
  await fs.promises.mkdir(src)
  let i = 0
  for (const [stem, text] of Object.entries(SCRAPED)) {
    await png(path.join(src, `${stem}.png`), i++)
    await fs.promises.writeFile(path.join(src, `${stem}.txt`), text, 'utf8')
  }
  const r = await glossa(['import', src, '--dataset', 'scraped', '--format', 'folder'])
  expect(r.code, r.stderr).toBe(0)
}, 60_000)

afterAll(async () => {
  await fs.promises.rm(tmp, { recursive: true, force: true })
})

describe('glossa cleanup', () => {
  it('a dry run reports per-rule counts and diffs and writes nothing', async () => {
    const before = dump()
    const r = await glossa([
      'cleanup',
      '--dataset',
      'scraped',
      '--preset',
      'web-scrape',
      '--dry-run',
      '--json'
    ])
    expect(r.code, r.stderr).toBe(0)
    const out = cliJson<{
      dryRun: boolean
      changed: number
      totals: CleanupRuleTotal[]
      items: { relPath: string }[]
    }>(r)
    expect(out.dryRun).toBe(true)
    const count = (rule: string): number => out.totals.find((t) => t.rule === rule)?.count ?? -1
    expect(count('url')).toBe(1)
    expect(count('hashtag')).toBe(2)
    expect(count('mention')).toBe(1)
    expect(count('html-tags')).toBe(4)
    expect(count('boilerplate')).toBe(1)
    // fox, lake, cat, street change; the tower and the clean garden do not
    expect(out.changed).toBe(4)
    expect(out.items.map((i) => i.relPath).sort()).toEqual([
      'cat.png',
      'fox.png',
      'lake.png',
      'street.png'
    ])
    expect(dump()).toEqual(before)

    // the human form prints the counts and a diff per language
    const human = await glossa([
      'cleanup',
      '--dataset',
      'scraped',
      '--preset',
      'web-scrape',
      '--dry-run'
    ])
    expect(human.code).toBe(0)
    expect(human.stdout).toMatch(/URLs removed\s+url\s+1/)
    expect(human.stdout).toContain('[- https://example.com/fox.jpg #wildlife #fox-]')
    expect(human.stdout).toContain('zh: 一只橘猫坐在窗台上。[-图片来源：网络-]')
    expect(dump()).toEqual(before)
  }, 60_000)

  it('applies as one batch that glossa undo reverts byte for byte; raw text untouched', async () => {
    const before = dump()
    const r = await glossa(['cleanup', '--dataset', 'scraped', '--preset', 'web-scrape', '--json'])
    expect(r.code, r.stderr).toBe(0)
    const out = cliJson<{ changed: number; batchId: number | null }>(r)
    expect(out.changed).toBe(4)
    expect(out.batchId).not.toBeNull()
    const after = captions('scraped')
    expect(after.get('fox.png')?.en).toBe('A red fox in the snow')
    expect(after.get('lake.png')?.en).toBe('A blue lake at dawn & mountains')
    expect(after.get('cat.png')?.zh).toBe('一只橘猫坐在窗台上。')
    expect(after.get('street.png')?.en).toBe('A city street at night')
    expect(after.get('tower.png')?.zh).toBe('夜幕下的广州塔，灯光璀璨')
    // raw imported text is never changed
    const raws = readLibrary(
      lib,
      (db) => db.prepare('SELECT raw_caption AS raw FROM images').all() as { raw: string }[]
    )
    expect(raws.map((x) => x.raw)).toContain(SCRAPED.fox)

    // a second run finds nothing left to clean
    const again = await glossa([
      'cleanup',
      '--dataset',
      'scraped',
      '--preset',
      'web-scrape',
      '--json'
    ])
    expect(cliJson<{ changed: number }>(again).changed).toBe(0)

    const undo = await glossa(['undo'])
    expect(undo.code, undo.stderr).toBe(0)
    expect(undo.stdout).toContain('Cleanup: web-scrape')
    expect(dump()).toEqual(before)
  }, 90_000)

  it('a bad preset is a usage error', async () => {
    const r = await glossa(['cleanup', '--dataset', 'scraped', '--preset', 'nope', '--dry-run'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('web-scrape')
  }, 30_000)
})

describe('glossa export', () => {
  it('exports to kohya with --status any: files exist and the validation passes', async () => {
    const out = path.join(tmp, 'kohya-out')
    const r = await exportKohya(out, '--json')
    expect(r.code, r.stderr).toBe(0)
    const { report } = cliJson<{ report: ExportReport }>(r)
    expect(report.validation.ok).toBe(true)
    expect(report.exported).toBe(Object.keys(SCRAPED).length)
    const dir = path.join(out, 'img', '1_images')
    for (const stem of Object.keys(SCRAPED)) {
      expect(fs.existsSync(path.join(dir, `${stem}.png`)), stem).toBe(true)
      const txt = fs.readFileSync(path.join(dir, `${stem}.txt`), 'utf8')
      expect(txt.trim().length, stem).toBeGreaterThan(0)
    }
    expect(fs.readFileSync(path.join(dir, 'tower.txt'), 'utf8')).not.toMatch(/^\uFEFF/)
    expect(fs.existsSync(path.join(out, 'dataset_config.toml'))).toBe(true)
    expect(fs.existsSync(path.join(out, 'manifest.json'))).toBe(true)
    // the source is untouched
    expect(fs.readFileSync(path.join(src, 'fox.txt'), 'utf8')).toBe(SCRAPED.fox)

    // the human form prints the validation report
    const out2 = path.join(tmp, 'kohya-out-2')
    const human = await exportKohya(out2)
    expect(human.code, human.stderr).toBe(0)
    expect(human.stdout).toMatch(/Validation \(read back as kohya would\): OK/)
    expect(human.stdout).toContain('1_images')
  }, 90_000)

  it('approved-only by default: nothing approved is a clear refusal', async () => {
    const out = path.join(tmp, 'approved-out')
    const r = await glossa(['export', '--dataset', 'scraped', '--format', 'hf', '--out', out])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/none of the \d+ image\(s\) is approved/)
    expect(fs.existsSync(out)).toBe(false)
  }, 30_000)

  it('refuses a destination inside the source or not empty: exit 1, nothing written', async () => {
    const inside = path.join(src, 'export')
    const r = await exportKohya(inside)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('inside the source folder')
    expect(fs.existsSync(inside)).toBe(false)
    expect(fs.readdirSync(src).sort()).toEqual(
      Object.keys(SCRAPED)
        .flatMap((s) => [`${s}.png`, `${s}.txt`])
        .sort()
    )

    const full = path.join(tmp, 'not-empty')
    await fs.promises.mkdir(full)
    await fs.promises.writeFile(path.join(full, 'keep.txt'), 'mine')
    const r2 = await exportKohya(full)
    expect(r2.code).toBe(1)
    expect(r2.stderr).toMatch(/not empty/i)
    expect(fs.readdirSync(full)).toEqual(['keep.txt'])

    // a dry run reports the same refusal and also exits 1
    const dry = await exportKohya(inside, '--dry-run')
    expect(dry.code).toBe(1)
    expect(dry.stdout).toMatch(/6 of 6 images/)
    expect(dry.stderr).toContain('inside the source folder')
    expect(fs.existsSync(inside)).toBe(false)
  }, 60_000)
})

describe('glossa import --format hf', () => {
  it('imports a Hugging Face imagefolder with the chosen caption column', async () => {
    const hf = path.join(tmp, 'hf-set')
    await fs.promises.mkdir(hf)
    const rows = [
      { file_name: 'a.png', text: 'ignored', caption_zh: '雪山下的湖泊，水面如镜' },
      { file_name: 'b.png', text: 'ignored', caption_zh: 'Café crème on a zinc counter' }
    ]
    await png(path.join(hf, 'a.png'), 1)
    await png(path.join(hf, 'b.png'), 2)
    await fs.promises.writeFile(
      path.join(hf, 'metadata.jsonl'),
      rows.map((r) => JSON.stringify(r)).join('\n') + '\n',
      'utf8'
    )
    const r = await glossa([
      'import',
      hf,
      '--dataset',
      'hf-set',
      '--format',
      'hf',
      '--caption-column',
      'caption_zh',
      '--json'
    ])
    expect(r.code, r.stderr).toBe(0)
    const got = captions('hf-set')
    expect(got.get('a.png')?.zh).toBe('雪山下的湖泊，水面如镜')
    expect(got.get('b.png')?.en).toBe('Café crème on a zinc counter')
    expect([...got.values()].some((c) => c.en === 'ignored' || c.zh === 'ignored')).toBe(false)

    const bad = await glossa(['import', hf, '--format', 'zip'])
    expect(bad.code).toBe(2)
  }, 60_000)
})
