/**
 * Tagger batches decoded in the inference worker (host op 'tagFiles'): the worker preprocesses
 * the batch's files with sharp (libuv threadpool), writes each image's BGR float32 values straight
 * into the batch tensor, and runs the model. The main thread only sends file paths and receives
 * scores, so none of the decode buffers (megabytes per image) or the float tensor (tens of MB per
 * batch) are allocated on its heap, and its garbage collector never pauses for them.
 *
 * Runs are serialised (one batch on the model at a time) while the next batch decodes; float
 * tensors are pooled, since batch after batch has the same size.
 */
import { preprocessRgbForTagger } from './preprocess'
import type { RunResult, TagFilesRequest, TagFilesResult, TaggedFile } from './protocol'
import { rgbToBgrFloat } from './tensor'

const pool: Float32Array[] = []
const POOL_MAX = 3

/** A float tensor of `length` values, reused when one is free (contents are overwritten). */
export function takeTensor(length: number): Float32Array {
  const i = pool.findIndex((t) => t.length === length)
  return i >= 0 ? pool.splice(i, 1)[0]! : new Float32Array(length)
}

export function giveTensor(t: Float32Array): void {
  pool.push(t)
  if (pool.length > POOL_MAX) pool.shift()
}

let queue: Promise<unknown> = Promise.resolve()

/** Runs `fn` after every run queued before it has settled. */
export function serialised<T>(fn: () => Promise<T>): Promise<T> {
  const p = queue.then(fn, fn)
  queue = p.catch(() => undefined)
  return p
}

export async function tagFiles(
  req: TagFilesRequest,
  run: (data: Float32Array, dims: number[]) => Promise<RunResult>
): Promise<TagFilesResult> {
  const { size, files } = req
  const per = size * size * 3
  const capacity = req.batch === 'dynamic' ? files.length : req.batch
  if (capacity < files.length)
    throw new Error(`${files.length} files for a model batch of ${capacity}`)
  const tensor = takeTensor(per * capacity)
  try {
    let filled = 0
    const images = await Promise.all(
      files.map(async (file): Promise<TaggedFile> => {
        try {
          const pre = await preprocessRgbForTagger(file, {
            size,
            interpolation: req.interpolation
          })
          if (pre.rgb.length !== per) throw new Error(`preprocessing gave ${pre.rgb.length} bytes`)
          // images take the next free slot as they finish, so failures leave no hole
          const slot = filled++
          rgbToBgrFloat(pre.rgb, tensor.subarray(slot * per, (slot + 1) * per))
          return { ok: true, slot, width: pre.width, height: pre.height }
        } catch (err) {
          return { ok: false, error: err instanceof Error ? err.message : String(err) }
        }
      })
    )
    if (filled === 0) return { images, scores: null }
    const sent = req.batch === 'dynamic' ? filled : req.batch
    if (filled < sent) tensor.fill(255, filled * per, sent * per) // white, up to a fixed batch
    const data = sent === capacity ? tensor : tensor.subarray(0, sent * per)
    const scores = await serialised(() => run(data, [sent, size, size, 3]))
    return { images, scores }
  } finally {
    giveTensor(tensor)
  }
}
