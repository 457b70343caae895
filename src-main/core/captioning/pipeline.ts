/**
 * Tagger pipeline: opens a tagger folder through the inference host (validating it) and tags
 * files with preprocessing overlapped with inference: two batches are in flight, so while the
 * worker runs batch N it decodes batch N+1 (sharp, libuv threadpool).
 * Decoding, the float tensor and inference all happen in the inference worker
 * (worker-tagging.ts): the main thread sends file paths and gets scores back, so a tagging run
 * allocates nothing large on the main thread's heap (no GC pauses) and does no pixel loops.
 */
import { GlossaError } from '../../shared/errors'
import type { InferenceHost } from './inference/host'
import type { Interpolation } from './inference/preprocess'
import type {
  ExecutionProvider,
  SessionInfo,
  SessionSpec,
  TagFilesResult
} from './inference/protocol'
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
} from './inference/tagger'

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
  const send = (batch: string[]): Promise<TagFilesResult> => {
    const p = host.tagFiles({
      spec: tagger.spec,
      inputName: io.inputName,
      outputName: io.outputName,
      files: batch,
      size,
      batch: modelBatch,
      interpolation: opts.interpolation
    })
    p.catch(() => undefined) // awaited below; a batch abandoned after a failure is not unhandled
    return p
  }
  let next: Promise<TagFilesResult> | null = batches[0] ? send(batches[0]) : null
  for (let b = 0; b < batches.length; b++) {
    const current = next!
    if (opts.signal?.aborted) {
      // results already delivered stay; the batches in flight are abandoned
      await Promise.allSettled([current, next])
      throw new GlossaError('CANCELLED', 'tagging was cancelled')
    }
    // Queue the next batch before this one finishes: the worker decodes it while this one runs.
    const following = batches[b + 1]
    next = following && !opts.signal?.aborted ? send(following) : null
    let out: TagFilesResult
    try {
      out = await current
    } catch (err) {
      // Let the batch in flight settle before surfacing the failure.
      if (next) await next.catch(() => undefined)
      throw err
    }
    const k = io.numTags
    const batchFiles = batches[b]!
    if (out.images.length !== batchFiles.length)
      throw new GlossaError(
        'INTERNAL',
        `the worker answered ${out.images.length} of ${batchFiles.length} files`
      )
    if (out.scores) {
      stats.batches++
      const sent = modelBatch === 'dynamic' ? out.images.filter((i) => i.ok).length : modelBatch
      if (out.scores.data.length !== sent * k) {
        throw new GlossaError(
          'INTERNAL',
          `the model returned ${out.scores.data.length} scores for ${sent}×${k}`
        )
      }
    }
    for (let i = 0; i < batchFiles.length; i++) {
      const img = out.images[i]!
      const file = batchFiles[i]!
      let r: TagImageResult
      if (!img.ok) r = { file, ok: false, error: img.error }
      else {
        const probs = out.scores!.data.subarray(img.slot * k, (img.slot + 1) * k)
        const tags = selectTags(probs, tagger.labels, opts)
        r = { file, ok: true, tags, width: img.width, height: img.height }
      }
      if (r.ok) stats.done++
      else stats.failed++
      await onResult(r)
    }
  }
  return stats
}
