/**
 * Generative captioning through @huggingface/transformers, run INSIDE the inference worker
 * (host-worker.ts imports this lazily, so taggers never load transformers.js). Everything for
 * one image happens here: decoding the file (decode.ts, sharp on libuv's pool), the processor
 * (resize, normalise, the chat template, image tokens), generation and detokenising. The main
 * thread sends a file path and a prompt and gets text back.
 *
 * Only local folders are loaded: `env.allowRemoteModels = false` and `env.localModelPath` set to
 * the folder's parent for each load (loads are serialised because env is global).
 *
 * Kinds:
 *  - image-to-text (vision-encoder-decoder): the `image-to-text` pipeline; the prompt is unused;
 *  - florence2: Florence2ForConditionalGeneration with a task prompt (`<CAPTION>`, …);
 *  - chat-vlm (Qwen2/2.5/3-VL, SmolVLM/Idefics3, LLaVA, …): AutoProcessor's chat template with one
 *    image and the prompt, AutoModelForImageTextToText.generate, the new tokens decoded.
 *
 * A chat VLM is PROBED when it loads, so a broken folder fails the load with the file named
 * instead of failing every image: the chat template must render (read from tokenizer_config.json,
 * else `chat_template.jinja` or `chat_template.json`, which transformers.js 4.3.1 does not read
 * itself), and the processor run on a blank image must place the model's image token
 * (config.json `image_token_id` / `image_token_index`) in input_ids.
 *
 * Decoding: greedy, or sampling after reseeding transformers.js's global PRNG with the given seed
 * before each image (so a run reproduces regardless of order). Sampling sets what the user did not:
 * temperature 1 and top_k 0 (no cut) — otherwise generation_config.json's values apply (Qwen2-VL
 * ships top_k 1 and temperature 0.1, which makes "sampling" greedy). transformers.js 4.3.1 never
 * applies `top_p` (its TopPLogitsWarper has no _call), so top-p is Glossa's own LogitsProcessor.
 *
 * Generation is serialised (one image on the model at a time: onnxruntime already uses every
 * core for one), while the next images decode in parallel.
 */
import { readFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type * as HF from '@huggingface/transformers'
import { decodeForGenerative, type DecodedImage } from './decode'
import { imageTokenIdOf } from './vlm-config'
import type {
  CaptionRequest,
  CaptionResult,
  Decoding,
  ExecutionProvider,
  GenerativeInfo,
  GenerativeSpec
} from './protocol'

type Transformers = typeof HF

interface Generated {
  text: string
  rendered: string | null
  imageTokens: number | null
}
interface Built {
  caption: (img: DecodedImage, req: CaptionRequest) => Promise<Generated>
  dispose: () => Promise<unknown>
  modelType: string | null
}
interface Loaded extends Built {
  ep: ExecutionProvider
  fallbackReason?: string
}

/** A model folder transformers.js cannot use; `file` is the file at fault. */
export class GenerativeLoadError extends Error {
  override name = 'GenerativeLoadError'
  constructor(
    readonly file: string,
    message: string
  ) {
    super(message)
  }
}

/** One image could not be read or prepared; the model is fine. */
export class GenerativeImageError extends Error {
  override name = 'GenerativeImageError'
  constructor(
    readonly file: string,
    message: string
  ) {
    super(message)
  }
}

let tf: Transformers | null = null
const models = new Map<string, Promise<Loaded>>()
let loadChain: Promise<unknown> = Promise.resolve()
let generateChain: Promise<unknown> = Promise.resolve()

/** Processors whose call signature is (images, text) rather than (text, images). */
const IMAGES_FIRST = new Set(['llava', 'paligemma', 'pixtral', 'lfm2_vl'])

async function transformers(): Promise<Transformers> {
  if (!tf) {
    tf = await import('@huggingface/transformers')
    tf.env.allowRemoteModels = false
    tf.env.allowLocalModels = true
  }
  return tf
}

/**
 * Top-p (nucleus) filtering: per row, the smallest set of most probable tokens whose probability
 * reaches `p` keeps its logits, every other token gets -Infinity. Tokens more than 40 nats below
 * the best (probability ratio < 4e-18) cannot change the set and are not sorted.
 */
export function topPFilter(data: Float32Array, vocab: number, p: number): void {
  for (let row = 0; row + vocab <= data.length; row += vocab) {
    let max = -Infinity
    for (let i = 0; i < vocab; i++) if (data[row + i]! > max) max = data[row + i]!
    let z = 0
    const cand: number[] = []
    for (let i = 0; i < vocab; i++) {
      const v = data[row + i]!
      z += Math.exp(v - max)
      if (v > max - 40) cand.push(i)
    }
    cand.sort((a, b) => data[row + b]! - data[row + a]! || a - b)
    let mass = 0
    let keep = 0
    while (keep < cand.length) {
      mass += Math.exp(data[row + cand[keep]!]! - max) / z
      keep++
      if (mass >= p) break
    }
    const kept = new Set(cand.slice(0, keep))
    for (let i = 0; i < vocab; i++) if (!kept.has(i)) data[row + i] = -Infinity
  }
}

function topPProcessor(t: Transformers, p: number): HF.LogitsProcessor {
  class TopP extends t.LogitsProcessor {
    override _call(_ids: bigint[][], logits: HF.Tensor): HF.Tensor {
      topPFilter(logits.data as Float32Array, Number(logits.dims.at(-1)), p)
      return logits
    }
  }
  return new TopP()
}

export function generationArgs(
  t: Transformers,
  d: Decoding,
  maxNewTokens: number
): Record<string, unknown> {
  const args: Record<string, unknown> = { max_new_tokens: maxNewTokens }
  if (d.mode === 'greedy') {
    args.do_sample = false
    args.num_beams = 1
  } else {
    args.do_sample = true
    args.num_beams = 1
    // unset values would come from generation_config.json (Qwen2-VL: top_k 1, temperature 0.1)
    args.temperature = d.temperature ?? 1
    args.top_k = d.topK ?? 0
    if (d.topP !== undefined && d.topP < 1) args.logits_processor = [topPProcessor(t, d.topP)]
  }
  return args
}

/**
 * Session options for the three (or four) sessions of a generative model. Generation runs one
 * session call per token with JavaScript in between; onnxruntime's thread pools would spin through
 * those gaps on every core, starving the process's event loops (the main thread's included), so
 * spinning is off: the threads sleep between calls. Unless the runtime settings say otherwise,
 * the intra-op pool leaves one core to the rest of the process (the event loop, image decoding).
 */
function modelOptions(spec: GenerativeSpec, device: ExecutionProvider): Record<string, unknown> {
  const session_options: Record<string, unknown> = {
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    intraOpNumThreads: Math.max(1, os.availableParallelism() - 1)
  }
  if (spec.intraOpThreads) session_options.intraOpNumThreads = spec.intraOpThreads
  if (spec.interOpThreads) session_options.interOpNumThreads = spec.interOpThreads
  return { dtype: spec.dtype ?? 'fp32', device, session_options }
}

function rawImage(t: Transformers, img: DecodedImage): HF.RawImage {
  return new t.RawImage(
    new Uint8ClampedArray(img.pixels.buffer, img.pixels.byteOffset, img.pixels.byteLength),
    img.width,
    img.height,
    3
  )
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err))

/**
 * The file a transformers.js / onnxruntime load failure is about, and the reason in words.
 * Messages name files as `Load model from <path> failed:<why>` (onnxruntime) or
 * `… file was not found locally at "<path>"` (transformers.js).
 */
export function loadFailure(dir: string, err: unknown): GenerativeLoadError {
  if (err instanceof GenerativeLoadError) return err
  const msg = message(err)
  const ort = /Load model from (.+?\.onnx) failed:\s*(.*)$/s.exec(msg)
  if (ort) {
    const why = ort[2]!.trim().replace(/\.$/, '')
    const hint = /protobuf/i.test(why) ? ' — the file is damaged or incomplete' : ''
    return new GenerativeLoadError(
      ort[1]!,
      `${ort[1]} cannot be loaded by onnxruntime (${why}${hint})`
    )
  }
  const missing = /not found locally at "([^"]+)"/.exec(msg)
  if (missing)
    return new GenerativeLoadError(
      missing[1]!,
      `${missing[1]} is missing: transformers.js needs it to load this model`
    )
  const external = /External data path does not exist: ?\[?([^\]\s]+)/.exec(msg)
  if (external)
    return new GenerativeLoadError(
      external[1]!,
      `${external[1]} is missing (an ONNX file refers to it as its external weights)`
    )
  if (/Unsupported model type/.test(msg)) {
    const file = path.join(dir, 'config.json')
    return new GenerativeLoadError(
      file,
      `${file} declares a model type transformers.js cannot caption with (${msg}); a chat VLM's ` +
        'config.json names the vision-language model (qwen2_vl, smolvlm, …), not its text backbone'
    )
  }
  if (/reading 'tokenizer_class'/.test(msg)) {
    const file = path.join(dir, 'tokenizer_config.json')
    return new GenerativeLoadError(file, `${file} is missing or unreadable (${msg})`)
  }
  return new GenerativeLoadError(dir, `${dir} cannot be loaded: ${msg}`)
}

interface ChatProcessor {
  (...args: unknown[]): Promise<Record<string, HF.Tensor>>
  tokenizer?: { chat_template?: unknown }
  apply_chat_template: (m: unknown, o: Record<string, unknown>) => string
  batch_decode: (ids: HF.Tensor, o: unknown) => string[]
}

/**
 * The chat template to pass explicitly, when the tokenizer has none of its own: from
 * chat_template.jinja or chat_template.json (what recent transformers saves). `file` is where the
 * template comes from, for error messages.
 */
async function chatTemplate(
  dir: string,
  proc: ChatProcessor
): Promise<{ template: string | undefined; file: string }> {
  const configFile = path.join(dir, 'tokenizer_config.json')
  if (!proc.tokenizer) {
    const file = path.join(dir, 'preprocessor_config.json')
    throw new GenerativeLoadError(
      file,
      `${file} has no "processor_class" transformers.js knows, so the processor has no tokenizer ` +
        'and no chat template (this model family may not be supported by transformers.js)'
    )
  }
  if (proc.tokenizer.chat_template) return { template: undefined, file: configFile }
  const jinja = path.join(dir, 'chat_template.jinja')
  try {
    return { template: await readFile(jinja, 'utf8'), file: jinja }
  } catch {
    // next candidate
  }
  const json = path.join(dir, 'chat_template.json')
  try {
    const v = JSON.parse(await readFile(json, 'utf8')) as { chat_template?: unknown }
    if (typeof v.chat_template === 'string') return { template: v.chat_template, file: json }
  } catch {
    // reported below
  }
  throw new GenerativeLoadError(
    configFile,
    `${configFile} has no "chat_template", and the folder has no chat_template.jinja or ` +
      'chat_template.json: a chat VLM needs its chat template to place the image and the prompt'
  )
}

function countId(ids: HF.Tensor | undefined, id: number): number {
  if (!ids) return 0
  let n = 0
  for (const v of ids.data as BigInt64Array) if (Number(v) === id) n++
  return n
}

const messagesFor = (prompt: string): unknown[] => [
  { role: 'user', content: [{ type: 'image' }, { type: 'text', text: prompt }] }
]

async function buildChatVlm(
  t: Transformers,
  spec: GenerativeSpec,
  id: string,
  opts: Record<string, unknown>
): Promise<Built> {
  const processor = (await t.AutoProcessor.from_pretrained(id)) as unknown as ChatProcessor
  const model = await t.AutoModelForImageTextToText.from_pretrained(id, opts as never)
  try {
    const config = model.config as unknown as Record<string, unknown>
    const modelType = typeof config.model_type === 'string' ? config.model_type : ''
    const { template, file: templateFile } = await chatTemplate(spec.dir, processor)
    const render = (prompt: string): string =>
      processor.apply_chat_template(messagesFor(prompt), {
        add_generation_prompt: true,
        ...(template !== undefined ? { chat_template: template } : {})
      })
    const prepare = (text: string, image: HF.RawImage): Promise<Record<string, HF.Tensor>> =>
      IMAGES_FIRST.has(modelType) ? processor(image, text) : processor(text, image)
    const imageTokenId = imageTokenIdOf(config)

    // the probe: the template renders, and the processor places the image token
    let probe: string
    try {
      probe = render('Describe this image.')
    } catch (err) {
      throw new GenerativeLoadError(
        templateFile,
        `${templateFile}: the chat template does not render (${message(err)})`
      )
    }
    const blank = new t.RawImage(new Uint8ClampedArray(32 * 32 * 3).fill(255), 32, 32, 3)
    let inputs: Record<string, HF.Tensor>
    try {
      inputs = await prepare(probe, blank)
    } catch (err) {
      const file = path.join(spec.dir, 'preprocessor_config.json')
      throw new GenerativeLoadError(
        file,
        `${file}: the processor cannot prepare an image with this template (${message(err)})`
      )
    }
    if (imageTokenId !== null && countId(inputs.input_ids, imageTokenId) === 0) {
      const file = path.join(spec.dir, 'tokenizer.json')
      throw new GenerativeLoadError(
        file,
        `${file}: the vocabulary has no image token (config.json's image token id ${imageTokenId} ` +
          'never appears in the tokenized prompt), so the image could not reach the model'
      )
    }

    const run = async (img: DecodedImage, req: CaptionRequest): Promise<Generated> => {
      const rendered = render(req.prompt ?? '')
      const inputs = await prepare(rendered, rawImage(t, img))
      const ids = (await model.generate({
        ...inputs,
        ...generationArgs(t, req.decoding, req.maxNewTokens)
      })) as HF.Tensor
      const promptLen = inputs.input_ids?.dims.at(-1) ?? 0
      const fresh = ids.slice(null, [promptLen, ids.dims.at(-1) ?? promptLen])
      return {
        text: (processor.batch_decode(fresh, { skip_special_tokens: true })[0] ?? '').trim(),
        rendered,
        imageTokens: imageTokenId === null ? null : countId(inputs.input_ids, imageTokenId)
      }
    }
    return { caption: run, dispose: () => model.dispose(), modelType: modelType || null }
  } catch (err) {
    await model.dispose()
    throw err
  }
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
    const run = async (img: DecodedImage, req: CaptionRequest): Promise<Generated> => {
      const out = (await pipe(
        rawImage(t, img),
        generationArgs(t, req.decoding, req.maxNewTokens)
      )) as { generated_text: string }[] | { generated_text: string }[][]
      const first = Array.isArray(out[0]) ? out[0][0] : out[0]
      const text = (first as { generated_text: string } | undefined)?.generated_text ?? ''
      return { text, rendered: null, imageTokens: null }
    }
    return { caption: run, dispose: () => pipe.dispose(), modelType: 'vision-encoder-decoder' }
  }
  if (spec.kind === 'florence2') {
    const processor = await t.AutoProcessor.from_pretrained(id)
    const model = await t.Florence2ForConditionalGeneration.from_pretrained(id, opts as never)
    const run = async (img: DecodedImage, req: CaptionRequest): Promise<Generated> => {
      const task = req.prompt ?? '<CAPTION>'
      const p = processor as unknown as HF.Florence2Processor
      const inputs = await p(rawImage(t, img), task)
      const ids = (await model.generate({
        ...inputs,
        ...generationArgs(t, req.decoding, req.maxNewTokens)
      })) as HF.Tensor
      const text = p.batch_decode(ids, { skip_special_tokens: false })[0] ?? ''
      const result = p.post_process_generation(text, task, [img.height, img.width]) as Record<
        string,
        unknown
      >
      const answer = result[task]
      return {
        text: typeof answer === 'string' ? answer.trim() : JSON.stringify(answer),
        rendered: null,
        imageTokens: null
      }
    }
    return { caption: run, dispose: () => model.dispose(), modelType: 'florence2' }
  }
  return buildChatVlm(t, spec, id, opts)
}

async function load(spec: GenerativeSpec): Promise<Loaded> {
  const t = await transformers()
  const requested = spec.ep ?? 'cpu'
  const attempt = async (device: ExecutionProvider): Promise<Built> => {
    try {
      return await build(t, spec, device)
    } catch (err) {
      throw loadFailure(spec.dir, err)
    }
  }
  const run = async (): Promise<Loaded> => {
    t.env.localModelPath = path.dirname(spec.dir) + path.sep
    if (requested !== 'cpu') {
      try {
        return { ...(await attempt(requested)), ep: requested }
      } catch (err) {
        const reason = `${requested} failed to start: ${message(err)}`
        return { ...(await attempt('cpu')), ep: 'cpu', fallbackReason: reason }
      }
    }
    return { ...(await attempt('cpu')), ep: 'cpu' }
  }
  // env.localModelPath is global: one load at a time.
  const p = loadChain.then(run, run)
  loadChain = p.catch(() => undefined)
  return p
}

function modelKey(spec: GenerativeSpec): string {
  return JSON.stringify([
    spec.dir,
    spec.kind,
    spec.dtype ?? 'fp32',
    spec.ep ?? 'cpu',
    spec.intraOpThreads ?? 0,
    spec.interOpThreads ?? 0
  ])
}

/** The loaded model (loaded once, kept warm); rejects with a GenerativeLoadError. */
function loaded(spec: GenerativeSpec): Promise<Loaded> {
  const key = modelKey(spec)
  let p = models.get(key)
  if (!p) {
    p = load(spec)
    models.set(key, p)
    // a failed load is not cached: the folder may be fixed and retried
    p.catch(() => models.delete(key))
  }
  return p
}

/** Loads (and probes) a model without captioning anything. */
export async function loadGenerative(spec: GenerativeSpec): Promise<GenerativeInfo> {
  const m = await loaded(spec)
  const info: GenerativeInfo = { ep: m.ep, modelType: m.modelType }
  if (m.fallbackReason) info.fallbackReason = m.fallbackReason
  return info
}

/** Runs `fn` after every generation queued before it has settled. */
function serialised<T>(fn: () => Promise<T>): Promise<T> {
  const p = generateChain.then(fn, fn)
  generateChain = p.catch(() => undefined)
  return p
}

/**
 * Captions one image file. Rejects with a GenerativeLoadError (the model), a GenerativeImageError
 * (this image) or a plain Error (inference failed).
 */
export async function caption(spec: GenerativeSpec, req: CaptionRequest): Promise<CaptionResult> {
  // decoding starts at once, in parallel with the model's load and with other images' generation
  const decoded = decodeForGenerative(req.file).catch(
    (err: unknown) => new GenerativeImageError(req.file, message(err))
  )
  const model = await loaded(spec)
  const img = await decoded
  if (img instanceof GenerativeImageError) throw img
  const t = await transformers()
  return serialised(async () => {
    if (req.decoding.mode === 'sample') t.random.seed(req.decoding.seed)
    const out = await model.caption(img, req)
    const result: CaptionResult = {
      text: out.text.trim(),
      ep: model.ep,
      rendered: out.rendered,
      imageTokens: out.imageTokens
    }
    if (model.fallbackReason) result.fallbackReason = model.fallbackReason
    return result
  })
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
