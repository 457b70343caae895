/**
 * The built-in OCR model (`ocr`) in the inference worker: the PP-OCRv4 detector and recogniser
 * are ordinary warm sessions of the worker (the same cache, keyed by SessionSpec, that taggers
 * use), borrowed by an OCR engine (../ocr/engine.ts) kept per spec. The worker decodes the file
 * (oriented, on white, RGB), runs detection, cropping, recognition and CTC decoding, and sends back
 * the recognised lines; the main thread touches no pixels.
 */
import { stat } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import type * as ort from 'onnxruntime-node'
import { decodeForGenerative } from './decode'
import { createOcrEngine, type OcrEngine } from '../ocr/engine'
import { modelPaths, OcrModelError } from '../ocr/models'
import type { OcrRequest, OcrResult, OcrSpec, SessionSpec } from './protocol'

/** Longest side the worker decodes to: the detector works at ≤ 960 px, the recogniser on crops
 *  of the decoded image, so this keeps small text legible while bounding memory. */
export const OCR_MAX_SIDE = 4096

/** Named like the generative path's, so the worker reports it as a per-image failure. */
class OcrImageError extends Error {
  override name = 'GenerativeImageError'
  constructor(
    readonly file: string,
    message: string
  ) {
    super(message)
  }
}

/** A model file that cannot be used (reported as a load failure naming the file). */
class OcrLoadError extends Error {
  override name = 'GenerativeLoadError'
  constructor(
    readonly file: string,
    message: string
  ) {
    super(message)
  }
}

type LoadSession = (spec: SessionSpec) => Promise<{ session: ort.InferenceSession }>

const engines = new Map<string, Promise<OcrEngine>>()

/**
 * onnxruntime intra-op threads of the OCR sessions when the runtime settings leave it at 0: every
 * CPU the process may use. onnxruntime's own default counts physical cores as it detects them,
 * which in some machines (virtual ones among them) comes out as a single thread: the detector and
 * recogniser then ran on one core while the others idled (the OCR job at about 0.75× a loop
 * running the same sessions on every core).
 */
export const ocrDefaultThreads = (): number => Math.max(1, availableParallelism())

export function ocrSessionSpecs(spec: OcrSpec): { det: SessionSpec; rec: SessionSpec } {
  const files = modelPaths(spec.modelDir)
  const rt = {
    ...(spec.ep ? { ep: spec.ep } : {}),
    intraOpThreads: spec.intraOpThreads || ocrDefaultThreads(),
    ...(spec.interOpThreads ? { interOpThreads: spec.interOpThreads } : {})
  }
  return { det: { modelPath: files.det, ...rt }, rec: { modelPath: files.rec, ...rt } }
}

async function checkFile(file: string): Promise<void> {
  try {
    const s = await stat(file)
    if (!s.isFile()) throw new OcrLoadError(file, `${file}: is not a file`)
    if (s.size === 0) throw new OcrLoadError(file, `${file}: is empty`)
  } catch (err) {
    if (err instanceof OcrLoadError) throw err
    const code = (err as NodeJS.ErrnoException).code
    throw new OcrLoadError(
      file,
      `${file}: ${code === 'ENOENT' ? 'not found' : `cannot be read (${code ?? String(err)})`}`
    )
  }
}

async function openEngine(spec: OcrSpec, load: LoadSession): Promise<OcrEngine> {
  const files = modelPaths(spec.modelDir)
  const specs = ocrSessionSpecs(spec)
  for (const f of [files.det, files.rec, files.dictionary]) await checkFile(f)
  const session = async (s: SessionSpec): Promise<ort.InferenceSession> => {
    try {
      return (await load(s)).session
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err)
      const hint = /protobuf|invalid model/i.test(msg) ? ' — the file is damaged or incomplete' : ''
      throw new OcrLoadError(
        s.modelPath,
        `${s.modelPath}: cannot be loaded by onnxruntime (${msg})${hint}`
      )
    }
  }
  const det = await session(specs.det)
  const rec = await session(specs.rec)
  try {
    return await createOcrEngine({ files, sessions: { det, rec } })
  } catch (err) {
    if (err instanceof OcrModelError) throw new OcrLoadError(err.file, err.message)
    throw err
  }
}

function engineFor(spec: OcrSpec, load: LoadSession): Promise<OcrEngine> {
  const key = JSON.stringify(ocrSessionSpecs(spec))
  let p = engines.get(key)
  if (!p) {
    p = openEngine(spec, load)
    engines.set(key, p)
    p.catch(() => engines.delete(key))
  }
  return p
}

/** Reads the text in one image file. */
export async function ocrFile(req: OcrRequest, load: LoadSession): Promise<OcrResult> {
  const engine = await engineFor(req.model, load)
  let img
  try {
    img = await decodeForGenerative(req.file, OCR_MAX_SIDE)
  } catch (err) {
    throw new OcrImageError(req.file, err instanceof Error ? err.message : String(err))
  }
  const lines = await engine.recognise(img.pixels, img.width, img.height)
  return { lines, width: img.width, height: img.height }
}

/**
 * Forgets the engines whose sessions are released (all, or those using `modelPath`); the sessions
 * themselves belong to the worker's cache, which releases them.
 */
export function releaseOcr(modelPath?: string): void {
  for (const key of [...engines.keys()]) {
    const specs = JSON.parse(key) as { det: SessionSpec; rec: SessionSpec }
    if (
      modelPath === undefined ||
      specs.det.modelPath === modelPath ||
      specs.rec.modelPath === modelPath
    )
      engines.delete(key)
  }
}
