/**
 * A caption run's plan (model + preset + language + options → provenance string), the prompt each
 * image gets (the preset rendered with the image's glossary knowledge, raw caption or tags), and
 * the code that captions library images with it, shared by `caption.preview` and the caption job.
 *
 * Three kinds of model:
 *  - taggers go through tagImages in batches (decode overlapped with inference, in the worker);
 *  - transformers.js models (image-to-text, Florence-2, chat VLMs) one image at a time through the
 *    inference worker, two in flight (the worker decodes the next while the current generates);
 *  - endpoints (OpenAI-compatible servers) one request per image, `concurrency` in flight, through
 *    the EndpointCaptioner (image preparation, retries, Retry-After, job-fatal errors).
 * Provenance: `model:<id>:<preset>` for local models, `endpoint:<name>:<server model>:<preset>` for
 * endpoints (the server model may contain ':'; parse name = first field, preset = last).
 */
import type { ReadableDB } from '../db/types'
import type {
  CaptionFields,
  DecodingArg,
  ExecutionProviderName,
  KnowledgeUse,
  Lang,
  ModelKind,
  TagOptions
} from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import type { CoreContext } from '../context'
import { readCaption } from '../captions/queries'
import { render as renderFields } from '../captions/text/structured'
import { knowledgeFor } from '../glossary/knowledge'
import { compiledFor } from '../glossary/queries'
import { splitTags } from '../images/queries'
import { EndpointCaptioner, resolveEndpointKey, type CaptionerEvent } from './endpoint'
import { GENERATIVE_IN_FLIGHT, interpretCaption } from './generate'
import { ImageError } from './inference/errors'
import type { InferenceHost } from './inference/host'
import type { GenerativeSpec, OcrSpec } from './inference/protocol'
import type { ScoredTag } from './inference/tagger'
import { OCR_IN_FLIGHT, readImageText, type OcrFound } from './ocr-run'
import { openTagger, tagImages, type OpenTagger } from './pipeline'
import { FLORENCE_TASKS, renderPrompt, type PromptPreset } from './presets'
import { getPreset } from './presets-store'
import type { CaptionImageRow } from './queries'
import { getModel, noteHost, readRuntime, rtOpts, type RegisteredModel } from './registry'

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
  /** the prompt preset (chat VLMs, Florence-2, endpoints); null for taggers and image-to-text */
  preset: PromptPreset | null
  /** 'tags' for taggers, 'caption' for image-to-text, else the preset id */
  presetId: string
  lang: Lang
  /** provenance written on captions and tags */
  source: string
  args: PlanArgs
}

/** Images smaller than this on either side are refused (nothing useful can be read from them). */
export const MIN_SIDE = 8

/** Token budget when none is given: a paragraph, or a JSON object of fields. */
export const DEFAULT_MAX_TOKENS = { text: 256, fields: 512 } as const
/** Endpoints under greedy decoding: temperature 0 and this fixed seed, so answers reproduce. */
export const ENDPOINT_SEED = 42

const isFlorenceTask = (p: PromptPreset): boolean =>
  (FLORENCE_TASKS as readonly string[]).includes(p.template)

export function makePlan(db: ReadableDB, args: PlanArgs): RunPlan {
  const model = getModel(db, args.modelId)
  const kind = model.kind
  let preset: PromptPreset | null = null
  let presetId: string
  if (kind === 'tagger' || kind === 'image-to-text' || kind === 'ocr') {
    presetId = kind === 'tagger' ? 'tags' : kind === 'ocr' ? 'text' : 'caption'
  } else {
    preset = getPreset(db, args.preset ?? model.defaultPreset!)
    presetId = preset.id
    if (kind === 'florence2' && !isFlorenceTask(preset))
      throw new GlossaError(
        'INVALID_ARGS',
        `Florence-2 takes a task preset (florence-caption, florence-detailed-caption, ` +
          `florence-more-detailed-caption), not "${preset.id}"`
      )
    if ((kind === 'chat-vlm' || kind === 'endpoint') && isFlorenceTask(preset))
      throw new GlossaError(
        'INVALID_ARGS',
        `"${preset.id}" is a Florence-2 task, not a chat prompt`
      )
  }
  const lang: Lang = args.lang ?? preset?.lang ?? 'en'
  const source =
    kind === 'endpoint'
      ? `endpoint:${model.id}:${model.definition!.model}:${presetId}`
      : `model:${model.id}:${presetId}`
  return { model, kind, preset, presetId, lang, source, args }
}

export function maxTokensFor(plan: RunPlan): number {
  return plan.args.maxNewTokens ?? DEFAULT_MAX_TOKENS[plan.preset?.output ?? 'text']
}

export interface ImageInput {
  id: number
  datasetId: number
  path: string
  relPath: string
  width: number | null
  height: number | null
  raw: string | null
  tags: string[]
}

export function imageInput(r: CaptionImageRow): ImageInput {
  return {
    id: r.id,
    datasetId: r.dataset_id,
    path: r.path,
    relPath: r.rel_path,
    width: r.width,
    height: r.height,
    raw: r.raw_caption,
    tags: splitTags(r.tags_text)
  }
}

export type ImageOutcome =
  | {
      id: number
      ok: true
      tags: ScoredTag[] | null
      text: string | null
      fields: CaptionFields | null
      prompt: string | null
      /** local chat VLMs: the chat template's output */
      rendered: string | null
      knowledge: KnowledgeUse[]
      /** the OCR model: what it read (text is then the `lang` caption's text sentence) */
      ocr?: OcrFound
    }
  | { id: number; ok: false; error: string }

// ---------------------------------------------------------------------------------------------
// Prompts

export interface ImagePrompt {
  prompt: string | null
  /** the glossary entries the prompt carries */
  knowledge: KnowledgeUse[]
}

/**
 * The glossary entries that apply to an image (by tag, caption or raw-caption keyword, folder
 * glob, manual assignment, or a mention of their name), with the name in the preset's language.
 */
export function imageKnowledge(db: ReadableDB, img: ImageInput, lang: Lang): KnowledgeUse[] {
  const cg = compiledFor(db, img.datasetId)
  if (cg.entries.length === 0) return []
  const zh = readCaption(db, img.id, 'zh')?.text ?? null
  const en = readCaption(db, img.id, 'en')?.text ?? null
  const k = knowledgeFor(cg, {
    id: String(img.id),
    relPath: img.relPath,
    tags: img.tags,
    // the raw (scraped) caption is matched too: its keywords say what the image shows
    zh: [zh, img.raw].filter(Boolean).join('\n') || null,
    en
  })
  const out: KnowledgeUse[] = []
  for (const it of k.items) {
    const name = (lang === 'zh' ? (it.name.zh ?? it.name.en) : (it.name.en ?? it.name.zh)) ?? ''
    if (name && !out.some((o) => o.name === name)) out.push({ entryId: Number(it.entryId), name })
  }
  return out
}

export function promptFor(db: ReadableDB, plan: RunPlan, img: ImageInput): ImagePrompt {
  if (!plan.preset) return { prompt: null, knowledge: [] }
  const knowledge =
    plan.preset.content === 'knowledge' ? imageKnowledge(db, img, plan.preset.lang) : []
  const prompt = renderPrompt(plan.preset, {
    knowledge: knowledge.map((k) => k.name),
    rawCaption: img.raw,
    tags: img.tags
  })
  return { prompt, knowledge }
}

// ---------------------------------------------------------------------------------------------
// Opening a model for a run

/** A model opened for a run. */
export type OpenModel =
  | { kind: 'tagger'; tagger: OpenTagger }
  | { kind: 'generative'; spec: GenerativeSpec; inFlight: number }
  | { kind: 'endpoint'; captioner: EndpointCaptioner; inFlight: number }
  | { kind: 'ocr'; spec: OcrSpec; inFlight: number }

/**
 * Opens the plan's model: a tagger's session, a transformers.js model loaded and probed in the
 * worker (a broken folder rejects with a ModelError naming the file), or an endpoint captioner
 * with its key resolved now (from keyEnv or the desktop keychain; never stored with the job).
 */
export async function openModel(
  ctx: Pick<CoreContext, 'db' | 'keyStore'>,
  host: InferenceHost,
  plan: RunPlan,
  opts: { signal?: AbortSignal; onEvent?: (e: CaptionerEvent) => void } = {}
): Promise<OpenModel> {
  const rt = rtOpts(readRuntime(ctx.db))
  if (plan.kind === 'endpoint') {
    const def = plan.model.definition!
    const apiKey = resolveEndpointKey(def, ctx.keyStore)
    const captioner = new EndpointCaptioner(def, {
      apiKey,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onEvent ? { onEvent: opts.onEvent } : {})
    })
    return { kind: 'endpoint', captioner, inFlight: def.concurrency }
  }
  if (plan.kind === 'tagger') {
    const tagger = await openTagger(host, plan.model.dir, rt)
    noteHost(host, {
      ep: tagger.session.ep,
      fallbackReason: tagger.session.fallbackReason ?? null,
      lastModelId: plan.model.id
    })
    return { kind: 'tagger', tagger }
  }
  if (plan.kind === 'ocr') {
    // the built-in model's sessions load in the worker on the first image (a broken or missing
    // file fails the job with its name)
    return { kind: 'ocr', spec: rt, inFlight: OCR_IN_FLIGHT }
  }
  const spec: GenerativeSpec = { dir: plan.model.dir, kind: plan.kind, ...rt }
  if (plan.model.dtype) spec.dtype = plan.model.dtype
  const info = await host.loadGenerative(spec)
  noteHost(host, {
    ep: info.ep as ExecutionProviderName,
    fallbackReason: info.fallbackReason ?? null,
    lastModelId: plan.model.id
  })
  return { kind: 'generative', spec, inFlight: GENERATIVE_IN_FLIGHT }
}

function tooSmall(img: ImageInput): ImageOutcome | null {
  if (img.width !== null && img.height !== null && Math.min(img.width, img.height) < MIN_SIDE)
    return {
      id: img.id,
      ok: false,
      error: `${img.path}: image too small (${img.width}×${img.height}; at least ${MIN_SIDE} px a side)`
    }
  return null
}

/**
 * Captions ONE image with a generative model or an endpoint. Per-image failures (unreadable image,
 * bad answer, a request that failed after its retries) resolve `{ ok: false }`; job-level failures
 * reject (a model that cannot load, the host crashing, an endpoint's auth/quota/… error).
 */
export async function captionOne(
  host: InferenceHost,
  plan: RunPlan,
  open: Exclude<OpenModel, { kind: 'tagger' }>,
  img: ImageInput,
  p: ImagePrompt
): Promise<ImageOutcome> {
  const early = tooSmall(img)
  if (early) return early
  if (open.kind === 'ocr') {
    const r = await readImageText(host, open.spec, img.path)
    if (!r.ok) return { id: img.id, ok: false, error: r.error }
    const value = r.found[plan.lang]
    return {
      id: img.id,
      ok: true,
      tags: null,
      text: value ? renderFields({ text: value }, plan.lang) : '',
      fields: value ? { text: value } : null,
      prompt: null,
      rendered: null,
      knowledge: [],
      ocr: r.found
    }
  }
  const output = plan.preset?.output ?? 'text'
  const maxTokens = maxTokensFor(plan)
  const decoding = plan.args.decoding ?? { mode: 'greedy' }
  const done = (r: ReturnType<typeof interpretCaption>, rendered: string | null): ImageOutcome => {
    if (!r.ok) return { id: img.id, ok: false, error: r.error }
    const text = r.fields ? renderFields(r.fields, plan.lang) : r.text.trim()
    return {
      id: img.id,
      ok: true,
      tags: null,
      text,
      fields: r.fields,
      prompt: p.prompt,
      rendered,
      knowledge: p.knowledge
    }
  }
  if (open.kind === 'endpoint') {
    const o = await open.captioner.caption({
      image: img.path,
      prompt: p.prompt ?? '',
      ...(decoding.mode === 'greedy'
        ? { temperature: 0, seed: ENDPOINT_SEED }
        : { temperature: decoding.temperature ?? 1, seed: decoding.seed }),
      maxTokens
    })
    if (!o.ok)
      return {
        id: img.id,
        ok: false,
        error: o.error.message.startsWith(img.path)
          ? o.error.message
          : `${img.path}: ${o.error.message}`
      }
    return done(
      interpretCaption(
        img.path,
        p.prompt,
        { text: o.text, ep: 'cpu', rendered: null, imageTokens: null },
        output
      ),
      null
    )
  }
  let res
  try {
    res = await host.caption(open.spec, {
      file: img.path,
      prompt: p.prompt,
      decoding,
      maxNewTokens: maxTokens
    })
  } catch (err) {
    if (err instanceof ImageError) return { id: img.id, ok: false, error: err.message }
    throw err
  }
  noteHost(host, {
    ep: res.ep as ExecutionProviderName,
    fallbackReason: res.fallbackReason ?? null,
    lastModelId: plan.model.id
  })
  return done(interpretCaption(img.path, p.prompt, res, output), res.rendered)
}

/**
 * Tags `images` in order with a tagger (batched). Images too small are refused before decoding;
 * unreadable images fail alone; a model failure rejects (the caller decides what that means).
 */
export async function tagImagesOf(
  host: InferenceHost,
  plan: RunPlan,
  tagger: OpenTagger,
  images: readonly ImageInput[],
  signal: AbortSignal | undefined,
  onResult: (r: ImageOutcome) => void
): Promise<void> {
  const usable: ImageInput[] = []
  const early = new Map<number, ImageOutcome>()
  images.forEach((img, i) => {
    const refused = tooSmall(img)
    if (refused) early.set(i, refused)
    else usable.push(img)
  })
  // Results of `usable` arrive in order; interleave the early refusals at their positions.
  let next = 0
  const flushEarly = (): void => {
    while (early.has(next)) {
      onResult(early.get(next)!)
      next++
    }
  }
  flushEarly()
  if (usable.length === 0) return
  let k = 0
  const o = plan.args
  await tagImages(
    host,
    tagger,
    usable.map((u) => u.path),
    { ...(o.tagOptions ?? {}), batchSize: o.batch, signal },
    (r) => {
      const img = usable[k++]!
      onResult(
        r.ok
          ? {
              id: img.id,
              ok: true,
              tags: r.tags,
              text: null,
              fields: null,
              prompt: null,
              rendered: null,
              knowledge: []
            }
          : { id: img.id, ok: false, error: r.error }
      )
      next++
      flushEarly()
    }
  )
}
