/**
 * Generative captioning pipeline (main side): decodes each image with sharp (EXIF orientation,
 * alpha on white, 8-bit sRGB, longest side capped) while the worker generates for the previous
 * image, then renders the result: plain text, or validated fields for structured presets.
 */
import sharp from 'sharp'
import type { CaptionFields } from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import type { InferenceHost } from './inference/host'
import type { CaptionRequest, Decoding, GenerativeSpec } from './inference/protocol'
import { parseStructuredCaption, type PresetOutput } from './presets'

/** Longest side sent to the worker; every supported processor resizes below this anyway. */
export const MAX_GENERATIVE_SIDE = 2048

export interface DecodedImage {
  pixels: Uint8Array
  width: number
  height: number
}

export async function decodeForGenerative(
  file: string,
  maxSide = MAX_GENERATIVE_SIDE
): Promise<DecodedImage> {
  try {
    const { data, info } = await sharp(file)
      .autoOrient()
      .flatten({ background: { r: 255, g: 255, b: 255 } })
      .toColourspace('srgb')
      .removeAlpha()
      .resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true })
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true })
    // A fresh buffer that can be transferred to the worker.
    return { pixels: new Uint8Array(data), width: info.width, height: info.height }
  } catch (err) {
    throw new Error(`${file}: ${err instanceof Error ? err.message : String(err)}`)
  }
}

export interface CaptionImagesOptions {
  /** the prompt for each image (a rendered preset), or null for image-to-text models */
  promptFor: (file: string) => string | null
  output?: PresetOutput
  decoding?: Decoding
  maxNewTokens?: number
  signal?: AbortSignal
}

export type CaptionImageResult =
  | { file: string; ok: true; text: string; fields: CaptionFields | null; prompt: string | null }
  | { file: string; ok: false; error: string }

/**
 * Captions `files` one by one, preprocessing the next image while the current one generates.
 * An unreadable image or an unparseable structured answer fails only that image; a model that
 * cannot load rejects the whole call (ModelError).
 */
export async function captionImages(
  host: InferenceHost,
  model: GenerativeSpec,
  files: readonly string[],
  opts: CaptionImagesOptions,
  onResult: (r: CaptionImageResult) => void | Promise<void>
): Promise<{ done: number; failed: number; ep: string | null; fallbackReason: string | null }> {
  const decoding = opts.decoding ?? { mode: 'greedy' }
  const maxNewTokens = opts.maxNewTokens ?? 256
  const stats = {
    done: 0,
    failed: 0,
    ep: null as string | null,
    fallbackReason: null as string | null
  }
  const settle = (f: string): Promise<DecodedImage | Error> =>
    decodeForGenerative(f).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))))

  let next = files[0] !== undefined ? settle(files[0]) : null
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!
    const img = await next!
    if (opts.signal?.aborted) throw new GlossaError('CANCELLED', 'captioning was cancelled')
    next = files[i + 1] !== undefined ? settle(files[i + 1]!) : null
    if (img instanceof Error) {
      stats.failed++
      await onResult({ file, ok: false, error: img.message })
      continue
    }
    const prompt = opts.promptFor(file)
    const req: CaptionRequest = { ...img, prompt, decoding, maxNewTokens }
    let res
    try {
      res = await host.caption(model, req)
    } catch (err) {
      if (next) await next
      throw err
    }
    stats.ep = res.ep
    stats.fallbackReason = res.fallbackReason ?? null
    let result: CaptionImageResult
    if (opts.output === 'fields') {
      const parsed = parseStructuredCaption(res.text)
      result = parsed.ok
        ? { file, ok: true, text: res.text, fields: parsed.fields, prompt }
        : {
            file,
            ok: false,
            error: `${file}: the model's answer is not valid fields (${parsed.error})`
          }
    } else if (!res.text) {
      result = { file, ok: false, error: `${file}: the model returned an empty caption` }
    } else {
      result = { file, ok: true, text: res.text, fields: null, prompt }
    }
    if (result.ok) stats.done++
    else stats.failed++
    await onResult(result)
  }
  return stats
}
