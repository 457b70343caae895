import { mkdtemp, rm, unlink } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ModelError } from '../../src-main/core/captioning/inference/errors'
import { captionImages, type CaptionImageResult } from '../../src-main/core/captioning/generate'
import { InferenceHost } from '../../src-main/core/captioning/inference/host'
import { inspectModelFolder } from '../../src-main/core/captioning/inference/models'
import type { GenerativeSpec } from '../../src-main/core/captioning/inference/protocol'
import { writeFlorenceFolder } from '../fixtures/models/make-florence'
import { writeVedFolder } from '../fixtures/models/make-ved'

let dir: string
let host: InferenceHost
let model: GenerativeSpec
const img: Record<string, string> = {}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'glossa-generative-'))
  const ved = await writeVedFolder(path.join(dir, 'models', 'tiny-ved'))
  const colours = {
    'red.png': { r: 250, g: 10, b: 10 },
    'green.jpg': { r: 0, g: 220, b: 30 },
    'blue.webp': { r: 20, g: 40, b: 240 }
  }
  for (const [name, c] of Object.entries(colours)) {
    img[name] = path.join(dir, name)
    await sharp({ create: { width: 64, height: 48, channels: 3, background: c } }).toFile(img[name])
  }
  // fully transparent green: composited on white, it is no longer green
  img['clear.png'] = path.join(dir, 'clear.png')
  await sharp({
    create: { width: 32, height: 32, channels: 4, background: { r: 0, g: 255, b: 0, alpha: 0 } }
  })
    .png()
    .toFile(img['clear.png'])
  host = new InferenceHost({ idleMs: 0 })
  model = { dir: ved, kind: 'image-to-text' }
})
afterAll(async () => {
  await host?.close()
  await rm(dir, { recursive: true, force: true })
})

async function caption(files: string[], spec = model) {
  const results: CaptionImageResult[] = []
  const stats = await captionImages(
    host,
    spec,
    files,
    { promptFor: () => null },
    (r) => void results.push(r)
  )
  return { results, stats }
}

describe('image-to-text (tiny vision-encoder-decoder, offline)', () => {
  it('is detected as image-to-text when the folder is added', async () => {
    const info = await inspectModelFolder(model.dir)
    expect(info.kind).toBe('image-to-text')
    expect(info.files).toContain('onnx/decoder_model_merged.onnx')
  })

  it('captions each image by its colour, deterministically', async () => {
    const files = [img['red.png']!, img['green.jpg']!, img['blue.webp']!]
    const first = await caption(files)
    expect(first.results.map((r) => (r.ok ? r.text : r.error))).toEqual([
      'a red image',
      'a green image',
      'a blue image'
    ])
    expect(first.stats).toMatchObject({ done: 3, failed: 0, ep: 'cpu', fallbackReason: null })
    const again = await caption([img['blue.webp']!, img['red.png']!])
    expect(again.results.map((r) => (r.ok ? r.text : ''))).toEqual(['a blue image', 'a red image'])
  })

  it('samples reproducibly with a seed (and greedy stays greedy)', async () => {
    // olive: the red and green logits tie, so sampling picks either with p = 0.5
    const olive = path.join(dir, 'olive.png')
    await sharp({
      create: { width: 16, height: 16, channels: 3, background: { r: 128, g: 128, b: 0 } }
    })
      .png()
      .toFile(olive)
    const bySeed = async (): Promise<string[]> => {
      const texts: string[] = []
      for (let seed = 1; seed <= 10; seed++) {
        await captionImages(
          host,
          model,
          [olive],
          { promptFor: () => null, decoding: { mode: 'sample', seed, temperature: 1 } },
          (r) => void texts.push(r.ok ? r.text : r.error)
        )
      }
      return texts
    }
    const first = await bySeed()
    expect(new Set(first)).toEqual(new Set(['a red image', 'a green image']))
    expect(await bySeed()).toEqual(first)
    const greedy = await caption([olive, olive])
    expect(greedy.results.map((r) => (r.ok ? r.text : ''))).toEqual(['a red image', 'a red image'])
  })

  it('composites transparency on white and reports unreadable images by name', async () => {
    const broken = path.join(dir, 'broken.png')
    await sharp({ create: { width: 4, height: 4, channels: 3, background: 'red' } })
      .png()
      .toFile(broken)
    await unlink(broken)
    const { results, stats } = await caption([img['clear.png']!, broken, img['red.png']!])
    // white: the channels tie and the first colour token wins; what matters is "not green"
    expect(results[0]).toMatchObject({ ok: true })
    expect(results[0]!.ok && results[0]!.text).not.toBe('a green image')
    expect(results[1]).toMatchObject({ ok: false, file: broken })
    expect(results[1]!.ok ? '' : results[1]!.error).toContain('broken.png')
    expect(results[2]).toMatchObject({ ok: true, text: 'a red image' })
    expect(stats).toMatchObject({ done: 2, failed: 1 })
  })

  it('parses structured answers and fails the image when the answer is not JSON', async () => {
    const out: CaptionImageResult[] = []
    await captionImages(
      host,
      model,
      [img['red.png']!],
      { promptFor: () => null, output: 'fields' },
      (r) => void out.push(r)
    )
    expect(out[0]).toMatchObject({ ok: false })
    expect(out[0]!.ok ? '' : out[0]!.error).toMatch(
      /not valid fields \(the answer contains no JSON object\)/
    )
  })

  it('falls back to cpu with a reason when the requested provider cannot start', async () => {
    const { results, stats } = await caption([img['red.png']!], { ...model, ep: 'cuda' })
    expect(results[0]).toMatchObject({ ok: true, text: 'a red image' })
    expect(stats.ep).toBe('cpu')
    expect(stats.fallbackReason).toMatch(/cuda/)
  })

  it('reports a folder transformers.js cannot load as a model error, and the host carries on', async () => {
    const broken = await writeVedFolder(path.join(dir, 'models', 'broken-ved'))
    await unlink(path.join(broken, 'onnx', 'encoder_model.onnx'))
    const err = await caption([img['red.png']!], { dir: broken, kind: 'image-to-text' }).catch(
      (e: unknown) => e
    )
    expect(err).toBeInstanceOf(ModelError)
    expect((err as Error).message).toContain(broken)
    const ok = await caption([img['green.jpg']!])
    expect(ok.results[0]).toMatchObject({ ok: true, text: 'a green image' })
  })
})

describe('Florence-2 (tiny four-session fixture, offline)', () => {
  it('is detected and captions with its task prompts', async () => {
    const flo = await writeFlorenceFolder(path.join(dir, 'models', 'tiny-florence'))
    expect((await inspectModelFolder(flo)).kind).toBe('florence2')
    const spec: GenerativeSpec = { dir: flo, kind: 'florence2' }
    const out: CaptionImageResult[] = []
    const tasks = ['<CAPTION>', '<DETAILED_CAPTION>', '<CAPTION>']
    let i = 0
    await captionImages(
      host,
      spec,
      [img['red.png']!, img['green.jpg']!, img['blue.webp']!],
      { promptFor: () => tasks[i++] ?? null },
      (r) => void out.push(r)
    )
    expect(out).toMatchObject([
      { ok: true, text: 'a red image', prompt: '<CAPTION>' },
      { ok: true, text: 'a green image', prompt: '<DETAILED_CAPTION>' },
      { ok: true, text: 'a blue image', prompt: '<CAPTION>' }
    ])
  })
})
