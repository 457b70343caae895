/**
 * The chat-VLM path end to end through the command line (`glossa caption --model <folder>
 * --preset …` as a child process), with the tiny Qwen2-VL and SmolVLM fixtures
 * (test/fixtures/models): Hunyuan's three prompts, the knowledge prompt filled from the image's
 * glossary matches (folder and raw-caption keyword triggers), refine with the raw caption, the
 * structured-JSON preset parsed into fields; the prompt that reached the model (chat template
 * applied, image placeholder placed) as recorded per image; lint flagging a caption that does not
 * name the entity its prompt carried; and broken model folders and unreadable images.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCore } from '../../src-main/core'
import { cliJson, readLibrary, runGlossa, type CliRun } from '../fixtures/cli'
import { makeQwen2VL, QWEN_IMAGE_TOKEN } from '../fixtures/models/make-qwen2vl'
import { makeSmolVLM } from '../fixtures/models/make-smolvlm'

let tmp: string
let lib: string
let qwen: string
let smol: string
const glossa = (args: string[]): Promise<CliRun> => runGlossa(args, { tmp, library: lib })

const RGB = {
  red: { r: 250, g: 10, b: 10 },
  green: { r: 0, g: 220, b: 30 },
  blue: { r: 20, g: 40, b: 240 }
} as const

/** file (relative) → colour and raw caption sidecar */
const IMAGES: Record<string, { colour: keyof typeof RGB; raw?: string }> = {
  'tower/red-tower.png': { colour: 'red', raw: '广州塔 夜景 https://example.com/p/1 #travel' },
  'trips/red-crane.png': { colour: 'red', raw: '武汉 江边的风景' },
  'plain/green.png': { colour: 'green', raw: 'a green square' },
  'plain/blue.png': { colour: 'blue' }
}

const GLOSSARY_CSV =
  'kind,name_zh,name_en,aliases_zh,keywords,paths\n' +
  'landmark,广州塔,Canton Tower,小蛮腰,,tower/**\n' +
  'landmark,黄鹤楼,Yellow Crane Tower,,武汉,\n'

interface LsJson {
  images: { relPath: string; zh: string | null; en: string | null }[]
}
interface CaptionJson {
  ok: boolean
  status: string
  preset: string | null
  counts: { total: number; captioned: number; skipped: number; failed: number; pending: number }
  failed: { file: string; reason: string }[]
  error: string | null
}

async function captions(): Promise<Record<string, { zh: string | null; en: string | null }>> {
  const r = await glossa(['ls', '--dataset', 'places', '--json'])
  expect(r.code, r.stderr).toBe(0)
  return Object.fromEntries(
    cliJson<LsJson>(r).images.map((i) => [i.relPath, { zh: i.zh, en: i.en }])
  )
}

async function caption(model: string, preset: string, extra: string[] = []): Promise<CaptionJson> {
  const r = await glossa([
    'caption',
    '--dataset',
    'places',
    '--model',
    model,
    '--preset',
    preset,
    '--json',
    ...extra
  ])
  const out = cliJson<CaptionJson>(r)
  expect(r.code, `${r.stderr}\n${JSON.stringify(out)}`).toBe(0)
  expect(out.status).toBe('done')
  return out
}

interface PromptRow {
  rel_path: string
  lang: string
  source: string
  prompt: string
  rendered: string | null
  knowledge: string
}
function prompts(lang: string): Record<string, PromptRow> {
  return readLibrary(lib, (db) =>
    Object.fromEntries(
      (
        db
          .prepare(
            `SELECT i.rel_path, p.* FROM caption_prompts p JOIN images i ON i.id = p.image_id
              WHERE p.lang = ?`
          )
          .all(lang) as PromptRow[]
      ).map((r) => [r.rel_path, r])
    )
  )
}

const qwenTemplate = (prompt: string): string =>
  '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' +
  `<|im_start|>user\n<|vision_start|>${QWEN_IMAGE_TOKEN}<|vision_end|>${prompt}<|im_end|>\n` +
  '<|im_start|>assistant\n'

beforeAll(async () => {
  tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'glossa-cli-vlm-'))
  lib = path.join(tmp, 'lib.sqlite')
  qwen = await makeQwen2VL(path.join(tmp, 'models', 'qwen2-vl-tiny'), { modelType: 'qwen2_vl' })
  smol = await makeSmolVLM(path.join(tmp, 'models', 'smolvlm-tiny'), { modelType: 'smolvlm' })
  const src = path.join(tmp, 'places')
  for (const [rel, { colour, raw }] of Object.entries(IMAGES)) {
    const file = path.join(src, rel)
    await fs.promises.mkdir(path.dirname(file), { recursive: true })
    await sharp({ create: { width: 64, height: 48, channels: 3, background: RGB[colour] } })
      .png()
      .toFile(file)
    if (raw) await fs.promises.writeFile(file.replace(/\.png$/, '.txt'), raw)
  }
  const glossaryFile = path.join(tmp, 'places.csv')
  await fs.promises.writeFile(glossaryFile, GLOSSARY_CSV)
  const imported = await glossa(['import', src, '--dataset', 'places'])
  expect(imported.code, imported.stderr).toBe(0)
  const g = await glossa(['glossary', 'import', glossaryFile, '--dataset', 'places'])
  expect(g.code, g.stderr).toBe(0)
}, 120_000)

afterAll(async () => {
  await fs.promises.rm(tmp, { recursive: true, force: true })
})

describe('glossa caption with a chat VLM (Qwen2-VL fixture)', () => {
  it("Hunyuan's Chinese and English prompts: deterministic captions, the templated prompt recorded", async () => {
    const zh = await caption(qwen, 'hunyuan-zh')
    expect(zh.counts).toMatchObject({ total: 4, captioned: 4, failed: 0 })
    const en = await caption(qwen, 'hunyuan-en')
    expect(en.counts).toMatchObject({ captioned: 4, failed: 0 })
    expect(await captions()).toEqual({
      'tower/red-tower.png': { zh: '一张红色的图片', en: 'a red image' },
      'trips/red-crane.png': { zh: '一张红色的图片', en: 'a red image' },
      'plain/green.png': { zh: '一张绿色的图片', en: 'a green image' },
      'plain/blue.png': { zh: '一张蓝色的图片', en: 'a blue image' }
    })
    const p = prompts('en')['plain/blue.png']!
    expect(p.prompt).toBe('Please describe the content of this image')
    expect(p.rendered).toBe(qwenTemplate('Please describe the content of this image'))
    expect(p.source).toBe('model:qwen2-vl-tiny:hunyuan-en')
    // running again skips every image this model and preset captioned
    const again = await caption(qwen, 'hunyuan-en')
    expect(again.counts).toMatchObject({ captioned: 0, skipped: 4 })
  }, 240_000)

  it('the knowledge prompt carries the glossary entries that match each image', async () => {
    const run = await caption(qwen, 'hunyuan-insert')
    // only the tower's caption changes; the others come out as hunyuan-zh wrote them
    expect(run.counts).toMatchObject({ captioned: 1, skipped: 3, failed: 0 })
    const zh = prompts('zh')
    // folder trigger tower/** → 广州塔; raw-caption keyword 武汉 → 黄鹤楼
    expect(zh['tower/red-tower.png']!.prompt).toBe('根据提示词\u201c广州塔\u201d,描述这张图片')
    expect(zh['tower/red-tower.png']!.rendered).toBe(
      qwenTemplate('根据提示词\u201c广州塔\u201d,描述这张图片')
    )
    expect(JSON.parse(zh['tower/red-tower.png']!.knowledge)).toMatchObject([{ name: '广州塔' }])
    expect(zh['trips/red-crane.png']!.prompt).toBe('根据提示词\u201c黄鹤楼\u201d,描述这张图片')
    // no entry: the raw caption is the content; no raw caption either: the plain prompt
    expect(zh['plain/green.png']!.prompt).toBe('根据提示词\u201ca green square\u201d,描述这张图片')
    expect(JSON.parse(zh['plain/green.png']!.knowledge)).toEqual([])
    expect(zh['plain/blue.png']!.prompt).toBe('描述这张图片')
    const now = await captions()
    expect(now['tower/red-tower.png']!.zh).toBe('红色的广州塔')
    // the fixture knows only 广州塔: given 黄鹤楼 it writes a plain caption …
    expect(now['trips/red-crane.png']!.zh).toBe('一张红色的图片')
    expect(now['plain/green.png']!.zh).toBe('一张绿色的图片')

    // … which lint flags: the caption does not name the entity its prompt carried
    const core = createCore({ dataDir: path.join(tmp, 'data'), libraryFile: lib })
    try {
      const ds = (await core.call('datasets.list', {})).find((d) => d.name === 'places')!
      const lint = await core.call('captions.lint', {
        target: { datasetId: ds.id },
        rules: ['knowledge-missing'],
        limit: 100
      })
      expect(lint.images.map((i) => i.fileName)).toEqual(['red-crane.png'])
      expect(lint.images[0]!.issues).toMatchObject([
        { rule: 'knowledge-missing', lang: 'zh', message: expect.stringContaining('黄鹤楼') }
      ])
      // the editor's record of the exact prompt
      const tower = (
        await core.call('images.page', { filter: { datasetId: ds.id }, limit: 10 })
      ).rows.find((r) => r.fileName === 'red-tower.png')!
      const records = await core.call('caption.prompts', { imageId: tower.id })
      expect(records.find((r) => r.lang === 'zh')).toMatchObject({
        prompt: '根据提示词\u201c广州塔\u201d,描述这张图片',
        source: 'model:qwen2-vl-tiny:hunyuan-insert',
        rendered: qwenTemplate('根据提示词\u201c广州塔\u201d,描述这张图片'),
        current: true
      })
    } finally {
      await core.close()
    }
  }, 240_000)

  it('refine puts the cleaned raw caption in the prompt', async () => {
    await caption(qwen, 'refine')
    const zh = prompts('zh')
    // URLs and hashtags are stripped from what goes inside the quotes
    expect(zh['tower/red-tower.png']!.prompt).toBe('根据提示词\u201c广州塔 夜景\u201d,描述这张图片')
    expect(zh['trips/red-crane.png']!.prompt).toBe(
      '根据提示词\u201c武汉 江边的风景\u201d,描述这张图片'
    )
    const now = await captions()
    expect(now['tower/red-tower.png']!.zh).toBe('红色的广州塔')
    expect(now['plain/blue.png']!.zh).toBe('一张蓝色的图片')
  }, 240_000)

  it("the structured preset's JSON answer is parsed into fields", async () => {
    await caption(qwen, 'structured-en')
    const rows = readLibrary(
      lib,
      (db) =>
        db
          .prepare(
            `SELECT i.rel_path, c.text, c.fields, c.source FROM captions c JOIN images i ON i.id = c.image_id
              WHERE c.lang = 'en' ORDER BY i.rel_path`
          )
          .all() as { rel_path: string; text: string; fields: string; source: string }[]
    )
    expect(rows.map((r) => [r.rel_path, JSON.parse(r.fields), r.source])).toEqual([
      ['plain/blue.png', { subject: 'a blue image' }, 'model:qwen2-vl-tiny:structured-en'],
      ['plain/green.png', { subject: 'a green image' }, 'model:qwen2-vl-tiny:structured-en'],
      ['tower/red-tower.png', { subject: 'a red image' }, 'model:qwen2-vl-tiny:structured-en'],
      ['trips/red-crane.png', { subject: 'a red image' }, 'model:qwen2-vl-tiny:structured-en']
    ])
    // the text is rendered from the fields
    expect(rows.every((r) => r.text.toLowerCase().includes(JSON.parse(r.fields).subject))).toBe(
      true
    )
    // the structured prompt carried the knowledge as a hint, in English names
    expect(prompts('en')['tower/red-tower.png']!.prompt).toMatch(
      /Answer with the JSON only\. Known about this image: Canton Tower$/
    )
  }, 240_000)
})

describe('glossa caption with a chat VLM (SmolVLM fixture)', () => {
  it('captions in English and fills fields from its JSON answer', async () => {
    await caption(smol, 'hunyuan-en', ['--redo'])
    const now = await captions()
    expect(now['plain/green.png']!.en).toBe('a green image')
    const p = prompts('en')['plain/green.png']!
    expect(p.rendered).toBe(
      '<|im_start|>User:<image>Please describe the content of this image<end_of_utterance>\nAssistant:'
    )
    await caption(smol, 'structured-zh', ['--lang', 'zh'])
    const fields = readLibrary(
      lib,
      (db) =>
        db
          .prepare(
            `SELECT c.fields FROM captions c JOIN images i ON i.id = c.image_id
              WHERE c.lang = 'zh' AND i.rel_path = 'tower/red-tower.png'`
          )
          .get() as { fields: string }
    )
    expect(JSON.parse(fields.fields)).toEqual({ subject: '红色的广州塔' })
  }, 240_000)
})

describe('bad input', () => {
  it('a folder without a chat template is refused, naming tokenizer_config.json', async () => {
    const dir = await makeQwen2VL(path.join(tmp, 'models', 'no-template'), {
      defect: 'no-chat-template'
    })
    const r = await glossa([
      'caption',
      '--dataset',
      'places',
      '--model',
      dir,
      '--preset',
      'hunyuan-zh'
    ])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(path.join(dir, 'tokenizer_config.json'))
    expect(r.stderr).toMatch(/has no "chat_template"/)
  }, 120_000)

  it('a vocabulary without the image token is refused, naming tokenizer.json', async () => {
    const dir = await makeSmolVLM(path.join(tmp, 'models', 'no-image-token'), {
      defect: 'no-image-token'
    })
    const r = await glossa(['models', 'add', dir])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(path.join(dir, 'tokenizer.json'))
  }, 120_000)

  it('a wrong model_type is refused, naming config.json and the text backbone', async () => {
    const dir = await makeQwen2VL(path.join(tmp, 'models', 'wrong-type'), {
      defect: 'wrong-model-type'
    })
    const r = await glossa(['models', 'add', dir])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(path.join(dir, 'config.json'))
    expect(r.stderr).toMatch(/"qwen2" is a text model/)
  }, 120_000)

  it('a truncated ONNX file fails the run at load, naming the file; nothing is captioned', async () => {
    const dir = await makeQwen2VL(path.join(tmp, 'models', 'truncated'), {
      defect: 'truncated-onnx'
    })
    const r = await glossa([
      'caption',
      '--dataset',
      'places',
      '--model',
      dir,
      '--preset',
      'hunyuan-zh',
      '--json'
    ])
    // exit 1, not an abort: the worker is stopped only after onnxruntime finished creating the
    // model's other sessions (host-worker.ts settle)
    expect(r.code, r.stderr).toBe(1)
    const out = cliJson<CaptionJson>(r)
    expect(out.status).toBe('failed')
    expect(out.error).toContain(path.join(dir, 'onnx', 'decoder_model_merged.onnx'))
    expect(out.error).toMatch(/damaged or incomplete/)
    expect(out.counts).toMatchObject({ captioned: 0, failed: 0, pending: 4 })
  }, 120_000)

  it('an image that became unreadable fails alone; the run carries on', async () => {
    const bad = path.join(tmp, 'places', 'plain', 'green.png')
    const bytes = await fs.promises.readFile(bad)
    await fs.promises.writeFile(bad, bytes.subarray(0, 30))
    try {
      const r = await glossa([
        'caption',
        '--dataset',
        'places',
        '--model',
        qwen,
        '--preset',
        'hunyuan-zh',
        '--redo',
        '--json'
      ])
      const out = cliJson<CaptionJson>(r)
      expect(out.status).toBe('done')
      expect(out.counts).toMatchObject({ captioned: 3, failed: 1 })
      expect(out.failed).toHaveLength(1)
      expect(out.failed[0]!.reason).toContain(bad)
    } finally {
      await fs.promises.writeFile(bad, bytes)
    }
  }, 240_000)
})
