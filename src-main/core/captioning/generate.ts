/**
 * Generative captioning pipeline (main side): sends file paths and prompts to the inference
 * worker, which decodes, preprocesses, generates and detokenises (inference/generative.ts), and
 * renders what comes back: plain text, or validated fields for structured presets. Two images are
 * in flight, so the worker decodes the next image while the current one generates; the main
 * thread touches no pixels.
 */
import type { CaptionFields } from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import { ImageError } from './inference/errors'
import type { InferenceHost } from './inference/host'
import type { CaptionResult, Decoding, GenerativeSpec } from './inference/protocol'
import { parseStructuredCaption, type PresetOutput } from './presets'

export { decodeForGenerative, MAX_GENERATIVE_SIDE, type DecodedImage } from './inference/decode'

/** Requests the worker holds at once: one generating, one decoding. */
export const GENERATIVE_IN_FLIGHT = 2

export interface CaptionImagesOptions {
  /** the prompt for each image (a rendered preset), or null for image-to-text models; called
   *  once per file, in order */
  promptFor: (file: string, index: number) => string | null
  output?: PresetOutput
  decoding?: Decoding
  maxNewTokens?: number
  signal?: AbortSignal
}

export type CaptionImageResult =
  | {
      file: string
      ok: true
      text: string
      fields: CaptionFields | null
      prompt: string | null
      /** chat VLMs: the chat template's output the model was given */
      rendered: string | null
      imageTokens: number | null
    }
  | { file: string; ok: false; error: string }

/** What one worker answer means for its image (structured answers are parsed here). */
export function interpretCaption(
  file: string,
  prompt: string | null,
  res: CaptionResult,
  output: PresetOutput
): CaptionImageResult {
  const base = { file, prompt, rendered: res.rendered, imageTokens: res.imageTokens }
  if (output === 'fields') {
    const parsed = parseStructuredCaption(res.text)
    return parsed.ok
      ? { ...base, ok: true, text: res.text, fields: parsed.fields }
      : {
          file,
          ok: false,
          error: `${file}: the model's answer is not valid fields (${parsed.error})`
        }
  }
  if (!res.text) return { file, ok: false, error: `${file}: the model returned an empty caption` }
  return { ...base, ok: true, text: res.text, fields: null }
}

/**
 * Captions `files` in order, GENERATIVE_IN_FLIGHT at a time. An unreadable image or an unparseable
 * structured answer fails only that image; a model that cannot load rejects the whole call
 * (ModelError naming the file).
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
  const output = opts.output ?? 'text'
  const stats = {
    done: 0,
    failed: 0,
    ep: null as string | null,
    fallbackReason: null as string | null
  }
  type Sent = { prompt: string | null; answer: Promise<CaptionResult | ImageError> }
  const send = (i: number): Sent => {
    const file = files[i]!
    const prompt = opts.promptFor(file, i)
    const answer = host
      .caption(model, { file, prompt, decoding, maxNewTokens })
      .catch((err: unknown) => {
        if (err instanceof ImageError) return err
        throw err
      })
    answer.catch(() => undefined) // awaited in order below
    return { prompt, answer }
  }
  const inFlight: Sent[] = []
  let next = 0
  const fill = (): void => {
    while (next < files.length && inFlight.length < GENERATIVE_IN_FLIGHT && !opts.signal?.aborted)
      inFlight.push(send(next++))
  }
  fill()
  for (let i = 0; i < files.length; i++) {
    if (opts.signal?.aborted) {
      await Promise.allSettled(inFlight.map((s) => s.answer))
      throw new GlossaError('CANCELLED', 'captioning was cancelled')
    }
    const file = files[i]!
    const sent = inFlight.shift()!
    let res: CaptionResult | ImageError
    try {
      res = await sent.answer
    } catch (err) {
      await Promise.allSettled(inFlight.map((s) => s.answer))
      throw err
    }
    fill()
    let result: CaptionImageResult
    if (res instanceof ImageError) result = { file, ok: false, error: res.message }
    else {
      stats.ep = res.ep
      stats.fallbackReason = res.fallbackReason ?? null
      result = interpretCaption(file, sent.prompt, res, output)
    }
    if (result.ok) stats.done++
    else stats.failed++
    await onResult(result)
  }
  return stats
}
