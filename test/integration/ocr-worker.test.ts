/**
 * The built-in OCR model in the inference worker (InferenceHost.ocr) with the real PP-OCRv4
 * weights: the worker decodes the file and reads it with det + rec sessions from the worker's own
 * session cache (the same warm sessions every model uses); a model folder with a truncated or
 * missing file fails with a ModelError naming that file; an unreadable image with an ImageError
 * naming the image, and the worker keeps serving.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ImageError, ModelError } from '../../src-main/core/captioning/inference/errors'
import { InferenceHost } from '../../src-main/core/captioning/inference/host'
import { INFERENCE_NICE } from '../../src-main/core/captioning/inference/protocol'
import { OCR_FILES, defaultModelDir } from '../../src-main/core/captioning/ocr/models'
import { ocrTestImages, toPng } from '../fixtures/ocr-images'

let tmp: string
let host: InferenceHost

beforeAll(async () => {
  tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'glossa-ocr-worker-'))
  const imgs = await ocrTestImages()
  await fs.promises.writeFile(path.join(tmp, 'zh.png'), await toPng(imgs.zh!))
  await fs.promises.writeFile(path.join(tmp, 'plain.png'), await toPng(imgs.plain!))
  await fs.promises.writeFile(path.join(tmp, 'broken.png'), 'not an image')
  host = new InferenceHost({ idleMs: 0 })
}, 60_000)

afterAll(async () => {
  await host.close()
  await fs.promises.rm(tmp, { recursive: true, force: true })
})

describe('InferenceHost.ocr', () => {
  it('reads the text in the worker, with sessions from its cache', async () => {
    const r = await host.ocr({ model: {}, file: path.join(tmp, 'zh.png') })
    expect(r.lines.map((l) => l.text)).toEqual(['广州塔夜景'])
    expect(r.lines[0]!.lang).toBe('zh')
    expect([r.width, r.height]).toEqual([640, 160])
    const loaded = (await host.loadedSessions()).map((k) => (JSON.parse(k) as string[])[0])
    expect(loaded).toEqual(
      expect.arrayContaining([
        path.join(defaultModelDir(), OCR_FILES.det),
        path.join(defaultModelDir(), OCR_FILES.rec)
      ])
    )
    expect((await host.ocr({ model: {}, file: path.join(tmp, 'plain.png') })).lines).toEqual([])
  }, 120_000)

  it("runs the sessions on every CPU, in threads below the core's priority", async () => {
    await host.ocr({ model: {}, file: path.join(tmp, 'zh.png') })
    // the runtime settings leave intra-op threads at 0: OCR uses every CPU, not onnxruntime's guess
    const keys = (await host.loadedSessions()).map((k) => JSON.parse(k) as unknown[])
    const det = keys.find((k) => k[0] === path.join(defaultModelDir(), OCR_FILES.det))
    expect(det?.[2]).toBe(os.availableParallelism())
    if (process.platform !== 'linux') return
    // nice value of each thread of this process (/proc/<tid>/stat field 19)
    const nice = (tid: string): number => {
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])
    }
    const mine = nice(String(process.pid))
    const tasks = fs.readdirSync('/proc/self/task')
    const lowered = tasks.filter((t) => nice(t) === Math.min(19, mine + INFERENCE_NICE))
    // the worker thread and onnxruntime's pool threads (with one CPU there is no pool thread)
    expect(lowered.length).toBeGreaterThanOrEqual(os.availableParallelism() > 1 ? 2 : 1)
    expect(nice(String(process.pid))).toBe(mine)
  }, 60_000)

  it('an unreadable image fails alone, naming the file', async () => {
    const file = path.join(tmp, 'broken.png')
    const err = await host.ocr({ model: {}, file }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ImageError)
    expect((err as Error).message.startsWith(file)).toBe(true)
    const again = await host.ocr({ model: {}, file: path.join(tmp, 'zh.png') })
    expect(again.lines).toHaveLength(1)
  }, 60_000)

  it('a truncated or missing model file gives a ModelError naming it', async () => {
    const src = defaultModelDir()
    const file = path.join(tmp, 'zh.png')
    // a truncated detector (the dictionary and recogniser are fine)
    const dir = path.join(tmp, 'models')
    await fs.promises.mkdir(dir)
    const det = await fs.promises.readFile(path.join(src, OCR_FILES.det))
    await fs.promises.writeFile(path.join(dir, OCR_FILES.det), det.subarray(0, 4096))
    for (const f of [OCR_FILES.rec, OCR_FILES.dictionary])
      await fs.promises.copyFile(path.join(src, f), path.join(dir, f))
    const truncated = await host.ocr({ model: { modelDir: dir }, file }).catch((e: unknown) => e)
    expect(truncated).toBeInstanceOf(ModelError)
    expect((truncated as ModelError).file).toBe(path.join(dir, OCR_FILES.det))
    expect((truncated as Error).message).toContain(path.join(dir, OCR_FILES.det))
    // no dictionary
    const other = path.join(tmp, 'models2')
    await fs.promises.mkdir(other)
    for (const f of [OCR_FILES.det, OCR_FILES.rec])
      await fs.promises.copyFile(path.join(src, f), path.join(other, f))
    const noDict = await host.ocr({ model: { modelDir: other }, file }).catch((e: unknown) => e)
    expect(noDict).toBeInstanceOf(ModelError)
    expect((noDict as Error).message).toContain(path.join(other, OCR_FILES.dictionary))
    expect((noDict as Error).message).toContain('not found')
    // the worker still reads with the good files
    expect((await host.ocr({ model: {}, file })).lines).toHaveLength(1)
  }, 120_000)
})
