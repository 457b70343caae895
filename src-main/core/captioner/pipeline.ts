/**
 * Tagger pipeline: opens a tagger folder through the inference host (validating it) and tags
 * files with preprocessing overlapped with inference: while the worker runs batch N, the main
 * thread's sharp calls (libuv threadpool) decode and preprocess batch N+1.
 */
import { GlossaError } from '../../shared/errors'
import type { InferenceHost } from './host'
import { concatBatch, preprocessForTagger, type Interpolation } from './preprocess'
import type { ExecutionProvider, SessionInfo, SessionSpec } from './protocol'
import {
  checkLabelsMatch,
  readSelectedTags,
  selectTags,
  taggerFiles,
  validateTaggerIO,
  type ScoredTag,
  type TagLabel,
  type TaggerIO,
  type TagSelectOptions
} from './tagger'

export interface OpenTaggerOptions {
  ep?: ExecutionProvider
  intraOpThreads?: number
  interOpThreads?: number
}

export interface OpenTagger {
  dir: string
  spec: SessionSpec
  io: TaggerIO
  labels: TagLabel[]
  session: SessionInfo
}

/** Loads a tagger folder (model.onnx + selected_tags.csv) and validates both files together. */
export async function openTagger(
  host: InferenceHost,
  dir: string,
  opts: OpenTaggerOptions = {}
): Promise<OpenTagger> {
  const files = taggerFiles(dir)
  const labels = await readSelectedTags(files.csv)
  const spec: SessionSpec = { modelPath: files.model }
  if (opts.ep) spec.ep = opts.ep
  if (opts.intraOpThreads) spec.intraOpThreads = opts.intraOpThreads
  if (opts.interOpThreads) spec.interOpThreads = opts.interOpThreads
  const session = await host.load(spec)
  const io = validateTaggerIO(files.model, session.inputs, session.outputs)
  checkLabelsMatch(files.csv, labels, io)
  return { dir, spec, io, labels, session }
}

export interface TagImagesOptions extends TagSelectOptions {
  /** images per inference call when the model's batch is dynamic (default 8) */
  batchSize?: number
  interpolation?: Interpolation
  signal?: AbortSignal
}

export type TagImageResult =
  | { file: string; ok: true; tags: ScoredTag[]; width: number; height: number }
  | { file: string; ok: false; error: string }

interface Prepared {
  ok: { index: number; file: string; data: Float32Array; width: number; height: number }[]
  failed: { index: number; file: string; error: string }[]
}

async function prepare(
  files: string[],
  size: number,
  interpolation?: Interpolation
): Promise<Prepared> {
  const settled = await Promise.allSettled(
    files.map((f) => preprocessForTagger(f, { size, interpolation }))
  )
  const out: Prepared = { ok: [], failed: [] }
  settled.forEach((s, i) => {
    const file = files[i]!
    if (s.status === 'fulfilled') out.ok.push({ index: i, file, ...s.value })
    else {
      const error = s.reason instanceof Error ? s.reason.message : String(s.reason)
      out.failed.push({ index: i, file, error })
    }
  })
  return out
}

/**
 * Tags `files` in order of batches; `onResult` is called once per file (results of one batch in
 * file order, failed images included with their reason). A model failure rejects the promise;
 * an unreadable image only fails that image.
 */
export async function tagImages(
  host: InferenceHost,
  tagger: OpenTagger,
  files: readonly string[],
  opts: TagImagesOptions,
  onResult: (r: TagImageResult) => void | Promise<void>
): Promise<{ done: number; failed: number; batches: number }> {
  const { io } = tagger
  const size = io.inputSize
  const modelBatch = io.batch
  const per = modelBatch === 'dynamic' ? Math.max(1, Math.floor(opts.batchSize ?? 8)) : modelBatch
  const batches: string[][] = []
  for (let i = 0; i < files.length; i += per) batches.push(files.slice(i, i + per))

  const stats = { done: 0, failed: 0, batches: 0 }
  const checkAbort = (): void => {
    if (opts.signal?.aborted) throw new GlossaError('CANCELLED', 'tagging was cancelled')
  }
  let next: Promise<Prepared> | null = batches[0]
    ? prepare(batches[0], size, opts.interpolation)
    : null
  for (let b = 0; b < batches.length; b++) {
    const current = await next!
    checkAbort()
    // Start decoding the next batch before running this one: the overlap.
    const following = batches[b + 1]
    next = following ? prepare(following, size, opts.interpolation) : null

    const results: TagImageResult[] = []
    for (const f of current.failed) results[f.index] = { file: f.file, ok: false, error: f.error }
    if (current.ok.length > 0) {
      const n = current.ok.length
      const sent = modelBatch === 'dynamic' ? n : modelBatch
      const tensor = concatBatch(
        current.ok.map((x) => x.data),
        size,
        sent
      )
      let out
      try {
        out = await host.run(tagger.spec, io, tensor, [sent, size, size, 3])
        stats.batches++
      } catch (err) {
        // Let the in-flight preprocessing settle before surfacing the failure.
        if (next) await next
        throw err
      }
      const k = io.numTags
      if (out.data.length !== sent * k) {
        throw new GlossaError(
          'INTERNAL',
          `the model returned ${out.data.length} scores for ${sent}×${k}`
        )
      }
      current.ok.forEach((img, i) => {
        const probs = out.data.subarray(i * k, (i + 1) * k)
        const tags = selectTags(probs, tagger.labels, opts)
        results[img.index] = {
          file: img.file,
          ok: true,
          tags,
          width: img.width,
          height: img.height
        }
      })
    }
    for (const r of results) {
      if (r.ok) stats.done++
      else stats.failed++
      await onResult(r)
    }
  }
  return stats
}
