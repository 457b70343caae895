/**
 * `glossa export` as a child process: the dry run and the real run say where each caption comes
 * from (per-source counts in --json and in the human text), the default never trains an image
 * on its folder name when it has a caption in either language, the export is portable, and an
 * image whose file vanished between the plan and the copy is reported while the rest exports.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ExportPlanResult, ExportReport } from '../../src-main/shared/api'
import { cliJson, runGlossa, type CliRun } from '../fixtures/cli'

/** stem → sidecar: Chinese-only captions (which an English-only default used to drop) */
const CAPTIONS: Record<string, string> = {
  fox: 'A red fox in the snow',
  lake: 'A blue lake at dawn',
  cat: '一只橘猫坐在窗台上。',
  tower: '夜幕下的广州塔，灯光璀璨',
  blank: '   \n\t  '
}

let tmp: string
let lib: string
let src: string
const glossa = (args: string[]): Promise<CliRun> => runGlossa(args, { tmp, library: lib })
const exportArgs = (out: string, ...more: string[]): string[] => [
  'export',
  '--dataset',
  'mixed',
  '--format',
  'kohya',
  '--out',
  out,
  ...more
]

beforeAll(async () => {
  tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'glossa-export-cli-'))
  lib = path.join(tmp, 'library.sqlite')
  src = path.join(tmp, 'mixed')
  await fs.promises.mkdir(src)
  let i = 0
  for (const [stem, text] of Object.entries(CAPTIONS)) {
    await sharp({
      create: { width: 40 + 8 * i++, height: 32, channels: 3, background: '#446688' }
    })
      .png()
      .toFile(path.join(src, `${stem}.png`))
    await fs.promises.writeFile(path.join(src, `${stem}.txt`), text, 'utf8')
  }
  expect((await glossa(['import', src, '--dataset', 'mixed', '--format', 'folder'])).code).toBe(0)
  const r = await glossa(['review', '--dataset', 'mixed', '--status', 'approved'])
  expect(r.code, r.stderr).toBe(0)
}, 90_000)

afterAll(async () => {
  await fs.promises.rm(tmp, { recursive: true, force: true })
})

const SOURCES = { zh: 0, en: 2, both: 0, 'fallback-zh': 2, 'fallback-en': 0, tags: 0, class: 1 }

describe('glossa export: where each caption comes from', () => {
  it('the dry run counts the sources up front, in --json and in words', async () => {
    const out = path.join(tmp, 'dry')
    const j = await glossa(exportArgs(out, '--dry-run', '--json'))
    expect(j.code, j.stderr).toBe(0)
    const { plan } = cliJson<{ plan: ExportPlanResult }>(j)
    expect(plan.captions).toMatchObject({ language: 'auto', primary: 'en', lines: 'join' })
    expect(plan.captions.sources).toEqual(SOURCES)
    expect(plan.portability).toMatchObject({ paths: 'relative', runFromExport: true })
    expect(fs.existsSync(out)).toBe(false)
    const human = await glossa(exportArgs(out, '--dry-run'))
    expect(human.stdout).toMatch(
      /Captions: en first, the other language where an image has none \(the format default\) — en 2 · fallback to zh 2 · class tokens \(no caption\) 1/
    )
    expect(human.stdout).toContain('cd into the export folder')
  }, 60_000)

  it('the run exports Chinese-only captions, validates them image by image, and reports the counts', async () => {
    const out = path.join(tmp, 'run')
    const r = await glossa(exportArgs(out, '--json'))
    expect(r.code, r.stderr).toBe(0)
    const { report } = cliJson<{ report: ExportReport }>(r)
    expect(report.captions.sources).toEqual(SOURCES)
    expect(report.validation.ok).toBe(true)
    expect(report.validation.fidelity).toEqual({ checked: 5, matched: 5 })
    expect(report.timings.validateMs).toBeGreaterThan(0)
    const dir = path.join(out, 'img', '1_images')
    expect(fs.readFileSync(path.join(dir, 'cat.txt'), 'utf8')).toBe('一只橘猫坐在窗台上。\n')
    expect(fs.readFileSync(path.join(dir, 'blank.txt'), 'utf8')).toBe('images\n')
    expect(fs.readFileSync(path.join(out, 'dataset_config.toml'), 'utf8')).toContain(
      'image_dir = "img/1_images"'
    )
    // --language zh: Chinese first, English where there is none
    const zh = await glossa(exportArgs(path.join(tmp, 'zh'), '--language', 'zh', '--json'))
    expect(cliJson<{ report: ExportReport }>(zh).report.captions.sources).toMatchObject({
      zh: 2,
      'fallback-en': 2,
      class: 1
    })
  }, 90_000)

  it('an image whose file vanished after the plan is reported; the rest exports, nothing half-written', async () => {
    const out = path.join(tmp, 'vanished')
    const dry = await glossa(exportArgs(out, '--dry-run', '--json'))
    expect(cliJson<{ plan: ExportPlanResult }>(dry).plan.images).toBe(5)
    const gone = path.join(src, 'lake.png')
    const keep = fs.readFileSync(gone)
    fs.rmSync(gone)
    try {
      const r = await glossa(exportArgs(out, '--json'))
      expect(r.code, r.stderr).toBe(0)
      const { report } = cliJson<{ report: ExportReport }>(r)
      expect(report.exported).toBe(4)
      expect(report.skipped).toEqual([
        expect.objectContaining({
          source: gone,
          reason: expect.stringContaining('no longer exists')
        })
      ])
      expect(report.validation.ok).toBe(true)
      expect(report.validation.fidelity).toEqual({ checked: 4, matched: 4 })
      const dir = path.join(out, 'img', '1_images')
      expect(fs.readdirSync(dir).filter((f) => f.startsWith('lake'))).toEqual([])
      const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')) as {
        images: { source: string }[]
      }
      expect(manifest.images.map((i) => path.basename(i.source)).sort()).toEqual([
        'blank.png',
        'cat.png',
        'fox.png',
        'tower.png'
      ])
    } finally {
      fs.writeFileSync(gone, keep)
    }
  }, 60_000)

  it('--help explains what "both" means for each format', async () => {
    const r = await glossa(['export', '--help'])
    expect(r.stdout).toMatch(/hunyuan\s+text_zh holds Chinese and English in one caption/)
    expect(r.stdout).toMatch(/kohya\s+Chinese and English in one caption/)
  }, 30_000)
})
