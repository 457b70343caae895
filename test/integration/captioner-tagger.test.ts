import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { HostCrashError, ModelError } from '../../src-main/core/captioning/inference/errors'
import { InferenceHost } from '../../src-main/core/captioning/inference/host'
import { inspectModelFolder } from '../../src-main/core/captioning/inference/models'
import { openTagger, tagImages, type TagImageResult } from '../../src-main/core/captioning/pipeline'
import {
  expectedScore,
  writeBadTaggerFolder,
  writeTaggerFolder
} from '../fixtures/models/make-tagger'

let dir: string
let host: InferenceHost
const img: Record<string, string> = {}

const solid = async (
  name: string,
  w: number,
  h: number,
  c: { r: number; g: number; b: number; alpha?: number }
) => {
  const f = path.join(dir, name)
  const channels = c.alpha === undefined ? 3 : 4
  await sharp({ create: { width: w, height: h, channels, background: c } }).toFile(f)
  img[name] = f
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'glossa-captioner-'))
  await writeTaggerFolder(path.join(dir, 'fixed'), { dynamicBatch: false })
  await writeTaggerFolder(path.join(dir, 'dynamic'), { dynamicBatch: true })
  await solid('red.png', 448, 448, { r: 255, g: 0, b: 0 })
  await solid('green.jpg', 600, 600, { r: 0, g: 255, b: 0 })
  await solid('blue.png', 100, 100, { r: 0, g: 0, b: 255 })
  await solid('white.webp', 300, 200, { r: 255, g: 255, b: 255 })
  await solid('wide-red.png', 896, 448, { r: 255, g: 0, b: 0 })
  await solid('clear-red.png', 448, 448, { r: 255, g: 0, b: 0, alpha: 0 })
  img['broken.jpg'] = path.join(dir, 'broken.jpg')
  await writeFile(img['broken.jpg'], 'this is not a jpeg')
  host = new InferenceHost({ idleMs: 0 })
})
afterAll(async () => {
  await host?.close()
  await rm(dir, { recursive: true, force: true })
})

async function run(model: string, files: string[], opts = {}) {
  const tagger = await openTagger(host, path.join(dir, model))
  const results: TagImageResult[] = []
  const stats = await tagImages(host, tagger, files, opts, (r) => {
    results.push(r)
  })
  return { results, stats, tagger }
}
const tagsOf = (r: TagImageResult | undefined): string[] => (r?.ok ? r.tags.map((t) => t.tag) : [])

describe.each([
  ['fixed', 1],
  ['dynamic', 'dynamic']
] as const)('the %s-batch fixture tagger', (model, batch) => {
  it('tags red, green and blue images by colour with the model’s scores', async () => {
    const files = [
      img['red.png']!,
      img['green.jpg']!,
      img['blue.png']!,
      img['white.webp']!,
      img['red.png']!
    ]
    const { results, stats, tagger } = await run(model, files, { batchSize: 3 })
    expect(tagger.io).toMatchObject({
      inputName: 'input',
      outputName: 'output',
      inputSize: 448,
      batch,
      numTags: 14
    })
    // fixed batch 1: one call per image; dynamic: batches of 3 and 2
    expect(stats).toEqual({ done: 5, failed: 0, batches: batch === 1 ? 5 : 2 })
    expect(results.map((r) => r.file)).toEqual(files)
    expect(tagsOf(results[0])).toEqual(['red', 'red theme', 'warm'])
    expect(tagsOf(results[1])).toEqual(['hatsune miku', 'green', '^_^'])
    expect(tagsOf(results[2])).toEqual(['kaito (vocaloid)', 'blue'])
    expect(tagsOf(results[3])).toEqual(['white background'])
    expect(tagsOf(results[4])).toEqual(tagsOf(results[0]))
    const red = results[0]!
    if (!red.ok) throw new Error(red.error)
    for (const t of red.tags) {
      const csvName = t.tag === 'red theme' ? 'red_theme' : t.tag
      // float32 inference vs the float64 closed form
      expect(t.score).toBeCloseTo(expectedScore(csvName, { r: 255, g: 0, b: 0 }), 4)
    }
    expect(red).toMatchObject({ width: 448, height: 448 })
  })
})

describe('tagging through the host', () => {
  it('pads a wide image with white and composites a transparent PNG on white', async () => {
    const { results } = await run('dynamic', [img['wide-red.png']!, img['clear-red.png']!])
    // half red, half white pad: mean (255, 127.5, 127.5) → not "red", but "white background"
    const wide = results[0]!
    expect(tagsOf(wide)).toEqual(['white background'])
    if (!wide.ok) throw new Error(wide.error)
    expect(wide.tags[0]!.score).toBeCloseTo(
      expectedScore('white_background', { r: 255, g: 127.5, b: 127.5 }),
      3
    )
    expect(tagsOf(results[1])).toEqual(['white background'])
  })

  it('applies thresholds, MCut, rating, underscore and exclude options end to end', async () => {
    const files = [img['red.png']!, img['blue.png']!]
    const strict = await run('dynamic', files, { generalMcut: true, characterThreshold: 0.5 })
    expect(tagsOf(strict.results[0])).toEqual(['red', 'red theme'])
    expect(tagsOf(strict.results[1])).toEqual(['kaito (vocaloid)', 'blue spirit', 'blue'])
    const opts = { rating: 'top', replaceUnderscores: false, exclude: ['warm'] } as const
    const raw = await run('fixed', files, opts)
    expect(tagsOf(raw.results[0])).toEqual(['sensitive', 'red', 'red_theme'])
    expect(tagsOf(raw.results[1])).toEqual(['general', 'kaito_(vocaloid)', 'blue'])
  })

  it('reports an unreadable image by name and tags the others', async () => {
    const { results, stats } = await run('dynamic', [img['broken.jpg']!, img['green.jpg']!], {
      batchSize: 4
    })
    expect(stats).toMatchObject({ done: 1, failed: 1 })
    expect(results[0]).toMatchObject({ ok: false, file: img['broken.jpg'] })
    expect(results[0]!.ok ? '' : results[0]!.error).toContain('broken.jpg')
    expect(tagsOf(results[1])).toContain('green')
  })

  it('transfers the input tensor instead of copying it', async () => {
    const t = await openTagger(host, path.join(dir, 'dynamic'))
    const data = new Float32Array(448 * 448 * 3).fill(255)
    const out = await host.run(t.spec, t.io, data, [1, 448, 448, 3])
    expect(data.length).toBe(0) // detached: the buffer moved to the worker
    expect(out.dims).toEqual([1, 14])
  })

  it('falls back to cpu with a visible reason when an unavailable provider is requested', async () => {
    const t = await openTagger(host, path.join(dir, 'dynamic'), { ep: 'coreml', intraOpThreads: 1 })
    expect(t.session).toMatchObject({ requestedEp: 'coreml', ep: 'cpu' })
    expect(t.session.fallbackReason).toMatch(/coreml/)
    const results: TagImageResult[] = []
    await tagImages(host, t, [img['red.png']!], {}, (r) => void results.push(r))
    expect(tagsOf(results[0])).toContain('red')
  })

  it('keeps sessions warm and unloads on request', async () => {
    await openTagger(host, path.join(dir, 'fixed'))
    const keys = await host.loadedSessions()
    expect(keys.some((k) => k.includes(path.join(dir, 'fixed', 'model.onnx')))).toBe(true)
    const starts = host.starts
    await openTagger(host, path.join(dir, 'fixed'))
    expect(host.starts).toBe(starts)
    await host.unload()
    expect(host.running).toBe(false)
    const { results } = await run('fixed', [img['blue.png']!])
    expect(tagsOf(results[0])).toContain('blue')
    expect(host.starts).toBe(starts + 1)
  })

  it('unloads after the idle timeout', async () => {
    const idle = new InferenceHost({ idleMs: 20 })
    try {
      await openTagger(idle, path.join(dir, 'fixed'))
      expect(idle.running).toBe(true)
      await vi.waitFor(() => expect(idle.running).toBe(false), { timeout: 10_000, interval: 20 })
    } finally {
      await idle.close()
    }
  })

  it.each(['exit', 'throw'] as const)(
    'survives a worker crash (%s) and restarts on the next call',
    async (how) => {
      await openTagger(host, path.join(dir, 'dynamic'))
      const starts = host.starts
      const err = await host.crashForTest(how).catch((e: unknown) => e)
      if (how === 'exit') {
        expect(err).toBeInstanceOf(HostCrashError)
        expect((err as Error).message).toMatch(/exited with code 70/)
      } else {
        // the crash happens after the reply; wait for the host to notice it
        await vi.waitFor(() => expect(host.running).toBe(false), { timeout: 10_000, interval: 20 })
      }
      expect(host.running).toBe(false)
      const { results } = await run('dynamic', [img['green.jpg']!])
      expect(tagsOf(results[0])).toContain('green')
      expect(host.starts).toBe(starts + 1)
    }
  )

  it('rejects calls pending when the worker dies', async () => {
    const t = await openTagger(host, path.join(dir, 'dynamic'))
    const pending = host.loadedSessions()
    const crash = host.crashForTest('exit').catch((e: unknown) => e)
    const [a, b] = await Promise.allSettled([pending, crash])
    // the first call may complete before the exit; the crash call itself never does
    expect(
      a.status === 'fulfilled' || (a.status === 'rejected' && a.reason instanceof HostCrashError)
    ).toBe(true)
    expect(b.status === 'fulfilled' && b.value instanceof HostCrashError).toBe(true)
    const out = await host.run(t.spec, t.io, new Float32Array(448 * 448 * 3), [1, 448, 448, 3])
    expect(out.dims).toEqual([1, 14])
  })
})

describe('inspectModelFolder on tagger folders', () => {
  it.each([
    ['fixed', 1],
    ['dynamic', 'dynamic']
  ] as const)('describes the %s fixture', async (name, batch) => {
    const info = await inspectModelFolder(path.join(dir, name), { host })
    expect(info).toMatchObject({
      kind: 'tagger',
      files: ['model.onnx', 'selected_tags.csv'],
      inputNames: ['input'],
      outputNames: ['output'],
      inputSize: 448,
      numTags: 14,
      batch,
      ep: 'cpu',
      warnings: []
    })
  })

  it.each([
    ['truncated', /model\.onnx could not be loaded by onnxruntime/],
    ['csv-mismatch', /selected_tags\.csv has 12 tags but the model outputs 14 scores/],
    ['image-model', /model\.onnx input "pixel_values" has shape \[batch, 3, 448, 448\].*NHWC/],
    ['missing-csv', /is a tagger folder missing selected_tags\.csv/]
  ] as const)('gives a clear error for a %s model', async (kind, message) => {
    const bad = await writeBadTaggerFolder(path.join(dir, `bad-${kind}`), kind)
    // without a shared host: a temporary one is started and closed
    const err = await inspectModelFolder(bad).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ModelError)
    expect((err as ModelError).message).toMatch(message)
    expect((err as ModelError).message).toContain(bad)
    expect((err as ModelError).code).toBe('INVALID_ARGS')
  })
})
