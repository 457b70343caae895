/**
 * A caption run's plan (model + preset + language + options → provenance string) and the code
 * that captions a list of library images with it, shared by `caption.preview` and the caption
 * job. Taggers go through tagImages (decode overlapped with inference, batched); transformers.js
 * models through captionImages. Results arrive in input order, one per image.
 */
import type { Database } from 'better-sqlite3'
import type {
  CaptionFields,
  DecodingArg,
  ExecutionProviderName,
  Lang,
  ModelKind,
  TagOptions
} from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import type { InferenceHost } from './inference/host'
import { openTagger, tagImages, type OpenTagger } from './pipeline'
import { captionImages } from './generate'
import { FLORENCE_TASKS, renderPrompt, type PromptPreset } from './presets'
import type { GenerativeSpec } from './inference/protocol'
import type { ScoredTag } from './inference/tagger'
import { render as renderFields } from '../captions/text/structured'
import { getModel, noteHost, rtOpts, readRuntime, type RegisteredModel } from './registry'
import { getPreset } from './presets-store'

export interface PlanArgs {
  modelId: string
  preset?: string
  lang?: Lang
  tagOptions?: TagOptions
  decoding?: DecodingArg
  maxNewTokens?: number
  batch?: number
}

export interface RunPlan {
  model: RegisteredModel
  kind: ModelKind
  /** the prompt preset (chat VLMs, Florence-2); null for taggers and image-to-text */
  preset: PromptPreset | null
  /** 'tags' for taggers, 'caption' for image-to-text, else the preset id */
  presetId: string
  lang: Lang
  /** provenance written on captions and tags: `model:<id>:<presetId>` */
  source: string
  args: PlanArgs
}

/** Images smaller than this on either side are refused (nothing useful can be read from them). */
export const MIN_SIDE = 8

const isFlorenceTask = (p: PromptPreset): boolean =>
  (FLORENCE_TASKS as readonly string[]).includes(p.template)

export function makePlan(db: Database, args: PlanArgs): RunPlan {
  const model = getModel(db, args.modelId)
  const kind = model.kind
  let preset: PromptPreset | null = null
  let presetId: string
  if (kind === 'tagger' || kind === 'image-to-text') {
    presetId = kind === 'tagger' ? 'tags' : 'caption'
  } else {
    preset = getPreset(db, args.preset ?? model.defaultPreset!)
    presetId = preset.id
    if (kind === 'florence2' && !isFlorenceTask(preset))
      throw new GlossaError(
        'INVALID_ARGS',
        `Florence-2 takes a task preset (florence-caption, florence-detailed-caption, ` +
          `florence-more-detailed-caption), not "${preset.id}"`
      )
    if (kind === 'chat-vlm' && isFlorenceTask(preset))
      throw new GlossaError(
        'INVALID_ARGS',
        `"${preset.id}" is a Florence-2 task, not a chat prompt`
      )
  }
  const lang: Lang = args.lang ?? preset?.lang ?? 'en'
  return { model, kind, preset, presetId, lang, source: `model:${model.id}:${presetId}`, args }
}

export interface ImageInput {
  id: number
  path: string
  width: number | null
  height: number | null
  raw: string | null
  tags: string[]
}

export type ImageOutcome =
  | {
      id: number
      ok: true
      tags: ScoredTag[] | null
      text: string | null
      fields: CaptionFields | null
      prompt: string | null
    }
  | { id: number; ok: false; error: string }

/** A model opened for a run: the tagger's session and labels, or the generative spec. */
export type OpenModel =
  { kind: 'tagger'; tagger: OpenTagger } | { kind: 'generative'; spec: GenerativeSpec }

export async function openModel(
  host: InferenceHost,
  db: Database,
  plan: RunPlan
): Promise<OpenModel> {
  const rt = rtOpts(readRuntime(db))
  if (plan.kind === 'tagger') {
    const tagger = await openTagger(host, plan.model.dir, rt)
    noteHost(host, {
      ep: tagger.session.ep,
      fallbackReason: tagger.session.fallbackReason ?? null,
      lastModelId: plan.model.id
    })
    return { kind: 'tagger', tagger }
  }
  const spec: GenerativeSpec = { dir: plan.model.dir, kind: plan.kind, ...rt }
  if (plan.model.dtype) spec.dtype = plan.model.dtype
  return { kind: 'generative', spec }
}

export function promptFor(plan: RunPlan, img: ImageInput): string | null {
  if (!plan.preset) return null
  return renderPrompt(plan.preset, { rawCaption: img.raw, tags: img.tags })
}

/**
 * Captions `images` in order. Images too small are refused before decoding; unreadable images
 * and bad answers fail alone; a model failure rejects (the caller decides what that means).
 */
export async function runImages(
  host: InferenceHost,
  plan: RunPlan,
  open: OpenModel,
  images: readonly ImageInput[],
  signal: AbortSignal | undefined,
  onResult: (r: ImageOutcome) => void
): Promise<void> {
  const usable: ImageInput[] = []
  const early = new Map<number, ImageOutcome>()
  images.forEach((img, i) => {
    if (img.width !== null && img.height !== null && Math.min(img.width, img.height) < MIN_SIDE)
      early.set(i, {
        id: img.id,
        ok: false,
        error: `${img.path}: image too small (${img.width}×${img.height}; at least ${MIN_SIDE} px a side)`
      })
    else usable.push(img)
  })
  // Results of `usable` arrive in order; interleave the early refusals at their positions.
  let next = 0
  const emit = (r: ImageOutcome): void => {
    while (early.has(next)) {
      onResult(early.get(next)!)
      next++
    }
    onResult(r)
    next++
    while (early.has(next)) {
      onResult(early.get(next)!)
      next++
    }
  }
  if (usable.length === 0) {
    for (let i = 0; i < images.length; i++) onResult(early.get(i)!)
    return
  }
  let k = 0
  if (open.kind === 'tagger') {
    const o = plan.args
    await tagImages(
      host,
      open.tagger,
      usable.map((u) => u.path),
      { ...(o.tagOptions ?? {}), batchSize: o.batch, signal },
      (r) => {
        const img = usable[k++]!
        emit(
          r.ok
            ? { id: img.id, ok: true, tags: r.tags, text: null, fields: null, prompt: null }
            : { id: img.id, ok: false, error: r.error }
        )
      }
    )
    return
  }
  const prompts = usable.map((u) => promptFor(plan, u))
  const stats = await captionImages(
    host,
    open.spec,
    usable.map((u) => u.path),
    {
      // called for the current image (index k) just before its result
      promptFor: () => prompts[k] ?? null,
      output: plan.preset?.output ?? 'text',
      decoding: plan.args.decoding ?? { mode: 'greedy' },
      maxNewTokens: plan.args.maxNewTokens ?? 256,
      signal
    },
    (r) => {
      const img = usable[k++]!
      if (!r.ok) {
        emit({ id: img.id, ok: false, error: r.error })
        return
      }
      const text = r.fields ? renderFields(r.fields, plan.lang) : r.text.trim()
      emit({ id: img.id, ok: true, tags: null, text, fields: r.fields, prompt: r.prompt })
    }
  )
  if (stats.ep)
    noteHost(host, {
      ep: stats.ep as ExecutionProviderName,
      fallbackReason: stats.fallbackReason,
      lastModelId: plan.model.id
    })
}
