/**
 * Generative captioning through @huggingface/transformers, run INSIDE the inference worker
 * (host-worker.ts imports this lazily, so taggers never load transformers.js).
 *
 * Only local folders are loaded: `env.allowRemoteModels = false` and `env.localModelPath` set to
 * the folder's parent for each load (loads are serialised because env is global). The image
 * arrives as oriented, white-composited RGB pixels from the main thread.
 *
 * Kinds:
 *  - image-to-text (vision-encoder-decoder): the `image-to-text` pipeline; the prompt is unused;
 *  - florence2: Florence2ForConditionalGeneration with a task prompt (`<CAPTION>`, …);
 *  - chat-vlm (Qwen2/2.5/3-VL, SmolVLM/Idefics3, LLaVA, PaliGemma, …): AutoProcessor's chat template
 *    with one image and the prompt, AutoModelForImageTextToText.generate, new tokens decoded.
 * Decoding is greedy, or sampling after reseeding transformers.js's global PRNG with the given
 * seed before each image, so a run reproduces regardless of order.
 */
import path from 'node:path'
import type * as HF from '@huggingface/transformers'
import type {
  CaptionRequest,
  CaptionResult,
  Decoding,
  ExecutionProvider,
  GenerativeSpec
} from './protocol'

type Transformers = typeof HF
interface Built {
  caption: (req: CaptionRequest) => Promise<string>
  dispose: () => Promise<unknown>
}
interface Loaded extends Built {
  ep: ExecutionProvider
  fallbackReason?: string
}

let tf: Transformers | null = null
const models = new Map<string, Promise<Loaded>>()
let loadChain: Promise<unknown> = Promise.resolve()

/** Processors whose call signature is (images, text) rather than (text, images). */
const IMAGES_FIRST = new Set(['llava', 'llava_onevision', 'paligemma', 'pixtral', 'lfm2_vl'])

async function transformers(): Promise<Transformers> {
  if (!tf) {
    tf = await import('@huggingface/transformers')
    tf.env.allowRemoteModels = false
    tf.env.allowLocalModels = true
  }
  return tf
}

function generationArgs(d: Decoding, maxNewTokens: number): Record<string, unknown> {
  const args: Record<string, unknown> = { max_new_tokens: maxNewTokens }
  if (d.mode === 'greedy') {
    args.do_sample = false
    args.num_beams = 1
  } else {
    args.do_sample = true
    if (d.temperature !== undefined) args.temperature = d.temperature
    if (d.topP !== undefined) args.top_p = d.topP
    if (d.topK !== undefined) args.top_k = d.topK
  }
  return args
}

function modelOptions(spec: GenerativeSpec, device: ExecutionProvider): Record<string, unknown> {
  const session_options: Record<string, number> = {}
  if (spec.intraOpThreads) session_options.intraOpNumThreads = spec.intraOpThreads
  if (spec.interOpThreads) session_options.interOpNumThreads = spec.interOpThreads
  return { dtype: spec.dtype ?? 'fp32', device, session_options }
}

function rawImage(t: Transformers, req: CaptionRequest): HF.RawImage {
  return new t.RawImage(
    new Uint8ClampedArray(req.pixels.buffer, req.pixels.byteOffset, req.pixels.byteLength),
    req.width,
    req.height,
    3
  )
}

async function build(
  t: Transformers,
  spec: GenerativeSpec,
  device: ExecutionProvider
): Promise<Built> {
  const id = path.basename(spec.dir)
  const opts = modelOptions(spec, device)
  if (spec.kind === 'image-to-text') {
    const pipe = (await t.pipeline('image-to-text', id, opts as never)) as HF.ImageToTextPipeline
    const run = async (req: CaptionRequest): Promise<string> => {
      const out = (await pipe(rawImage(t, req), generationArgs(req.decoding, req.maxNewTokens))) as
        { generated_text: string }[] | { generated_text: string }[][]
      const first = Array.isArray(out[0]) ? out[0][0] : out[0]
      return (first as { generated_text: string } | undefined)?.generated_text ?? ''
    }
    return { caption: run, dispose: () => pipe.dispose() }
  }
  const processor = await t.AutoProcessor.from_pretrained(id)
  if (spec.kind === 'florence2') {
    const model = await t.Florence2ForConditionalGeneration.from_pretrained(id, opts as never)
    const run = async (req: CaptionRequest): Promise<string> => {
      const task = req.prompt ?? '<CAPTION>'
      const image = rawImage(t, req)
      const p = processor as unknown as HF.Florence2Processor
      const inputs = await p(image, task)
      const ids = (await model.generate({
        ...inputs,
        ...generationArgs(req.decoding, req.maxNewTokens)
      })) as HF.Tensor
      const text = p.batch_decode(ids, { skip_special_tokens: false })[0] ?? ''
      const result = p.post_process_generation(text, task, [req.height, req.width]) as Record<
        string,
        unknown
      >
      const answer = result[task]
      return typeof answer === 'string' ? answer.trim() : JSON.stringify(answer)
    }
    return { caption: run, dispose: () => model.dispose() }
  }
  const model = await t.AutoModelForImageTextToText.from_pretrained(id, opts as never)
  const modelType = String((model.config as { model_type?: string }).model_type ?? '')
  const run = async (req: CaptionRequest): Promise<string> => {
    const image = rawImage(t, req)
    const messages = [
      { role: 'user', content: [{ type: 'image' }, { type: 'text', text: req.prompt ?? '' }] }
    ]
    const proc = processor as unknown as {
      apply_chat_template: (m: unknown, o: unknown) => string
      batch_decode: (ids: HF.Tensor, o: unknown) => string[]
    } & ((...a: unknown[]) => Promise<Record<string, HF.Tensor>>)
    const text = proc.apply_chat_template(messages, { add_generation_prompt: true })
    const inputs = IMAGES_FIRST.has(modelType) ? await proc(image, text) : await proc(text, image)
    const ids = (await model.generate({
      ...inputs,
      ...generationArgs(req.decoding, req.maxNewTokens)
    })) as HF.Tensor
    const promptLen = inputs.input_ids?.dims.at(-1) ?? 0
    const fresh = ids.slice(null, [promptLen, ids.dims.at(-1) ?? promptLen])
    return (proc.batch_decode(fresh, { skip_special_tokens: true })[0] ?? '').trim()
  }
  return { caption: run, dispose: () => model.dispose() }
}

async function load(spec: GenerativeSpec): Promise<Loaded> {
  const t = await transformers()
  const requested = spec.ep ?? 'cpu'
  const run = async (): Promise<Loaded> => {
    t.env.localModelPath = path.dirname(spec.dir) + path.sep
    if (requested !== 'cpu') {
      try {
        return { ...(await build(t, spec, requested)), ep: requested }
      } catch (err) {
        const reason = `${requested} failed to start: ${err instanceof Error ? err.message : String(err)}`
        return { ...(await build(t, spec, 'cpu')), ep: 'cpu', fallbackReason: reason }
      }
    }
    return { ...(await build(t, spec, 'cpu')), ep: 'cpu' }
  }
  // env.localModelPath is global: one load at a time.
  const p = loadChain.then(run, run)
  loadChain = p.catch(() => undefined)
  return p
}

export async function caption(spec: GenerativeSpec, req: CaptionRequest): Promise<CaptionResult> {
  const key = JSON.stringify([
    spec.dir,
    spec.kind,
    spec.dtype ?? 'fp32',
    spec.ep ?? 'cpu',
    spec.intraOpThreads ?? 0,
    spec.interOpThreads ?? 0
  ])
  let p = models.get(key)
  if (!p) {
    p = load(spec)
    models.set(key, p)
    p.catch(() => models.delete(key))
  }
  let loaded: Loaded
  try {
    loaded = await p
  } catch (err) {
    throw new GenerativeLoadError(err instanceof Error ? err.message : String(err))
  }
  if (req.decoding.mode === 'sample') (await transformers()).random.seed(req.decoding.seed)
  const text = (await loaded.caption(req)).trim()
  const result: CaptionResult = { text, ep: loaded.ep }
  if (loaded.fallbackReason) result.fallbackReason = loaded.fallbackReason
  return result
}

/** A model folder transformers.js could not load (reported as a load failure). */
export class GenerativeLoadError extends Error {
  override name = 'GenerativeLoadError'
}

/** Releases loaded generative models (all, or those of one folder). */
export async function releaseGenerative(dir?: string): Promise<number> {
  let n = 0
  for (const [key, p] of [...models]) {
    if (dir !== undefined && (JSON.parse(key) as unknown[])[0] !== dir) continue
    models.delete(key)
    try {
      await (await p).dispose()
      n++
    } catch {
      // a model that failed to load has nothing to release
    }
  }
  return n
}
