/**
 * Model folder inspection ("add a local folder"): detects the kind and validates the files.
 *  - tagger: model.onnx + selected_tags.csv; loaded once through the inference host to read the
 *    input/output names and size and to check the CSV against the output width;
 *  - transformers.js folders (config.json, tokenizer.json, onnx/*.onnx): the kind comes from
 *    config.json's model_type; the sessions each kind needs are checked by file name (any dtype
 *    suffix such as _fp16 or _q4 counts). Loading them is left to the generative backend.
 * Malformed input gives a ModelError naming the file and the reason, never a crash.
 */
import { readdir, readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { ModelError } from './errors'
import { InferenceHost } from './host'
import { openTagger, type OpenTaggerOptions } from '../pipeline'
import type { ExecutionProvider } from './protocol'
import { imageTokenIdOf, NEEDS_PROCESSOR_CONFIG } from './vlm-config'

export type ModelKind = 'tagger' | 'image-to-text' | 'florence2' | 'chat-vlm'

export interface ModelFolderInfo {
  dir: string
  kind: ModelKind
  /** relative paths of the files the model uses */
  files: string[]
  /** tagger: the session's input names; transformers models: [] (read when the backend loads) */
  inputNames: string[]
  outputNames: string[]
  /** tagger: the square input side */
  inputSize: number | null
  /** tagger: number of tags, or null */
  numTags: number | null
  /** tagger: fixed batch size or 'dynamic' */
  batch: number | 'dynamic' | null
  modelType: string | null
  ep: ExecutionProvider | null
  warnings: string[]
}

/**
 * Chat VLMs whose transformers.js 4.3.1 processor takes a chat template with one image. Not
 * listed: llava_onevision (transformers.js has its model class but no processor, so AutoProcessor
 * builds one without a tokenizer).
 */
export const CHAT_VLM_TYPES: ReadonlySet<string> = new Set([
  'qwen2_vl',
  'qwen2_5_vl',
  'qwen3_vl',
  'smolvlm',
  'idefics3',
  'llava',
  'gemma3'
])

/** Chat VLMs whose config.json must carry text_config (transformers.js reads the cache from it). */
const NEEDS_TEXT_CONFIG = new Set([
  'qwen2_5_vl',
  'qwen3_vl',
  'smolvlm',
  'idefics3',
  'llava',
  'gemma3'
])
/** Model types that are a VLM's text backbone: a careless export writes these into config.json. */
const TEXT_BACKBONES = new Set(['qwen2', 'qwen2_5', 'qwen3', 'llama', 'mistral', 'gemma', 'gemma2'])

/** The ONNX sessions each transformers.js kind needs (base names under onnx/). */
const REQUIRED_SESSIONS: Record<Exclude<ModelKind, 'tagger'>, string[]> = {
  'image-to-text': ['encoder_model', 'decoder_model_merged|decoder_model'],
  florence2: ['embed_tokens', 'vision_encoder', 'encoder_model', 'decoder_model_merged'],
  'chat-vlm': ['embed_tokens', 'vision_encoder', 'decoder_model_merged']
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile()
  } catch {
    return false
  }
}

export interface InspectOptions extends OpenTaggerOptions {
  /** an existing host to load the tagger with (it stays warm); a temporary one otherwise */
  host?: InferenceHost
}

export async function inspectModelFolder(
  dir: string,
  opts: InspectOptions = {}
): Promise<ModelFolderInfo> {
  let entries: string[]
  try {
    const s = await stat(dir)
    if (!s.isDirectory()) throw new ModelError(dir, 'is not a folder')
    entries = await readdir(dir)
  } catch (err) {
    if (err instanceof ModelError) throw err
    throw new ModelError(dir, `cannot be read (${(err as NodeJS.ErrnoException).code ?? err})`)
  }
  const has = (name: string): boolean => entries.includes(name)

  // a WD tagger repo also ships timm's config.json: its two files decide
  if (has('model.onnx') && has('selected_tags.csv')) return inspectTagger(dir, opts)
  if (has('config.json')) return inspectTransformers(dir)
  if (has('model.onnx') || has('selected_tags.csv')) return inspectTagger(dir, opts)
  throw new ModelError(
    dir,
    'is not a model folder: expected model.onnx + selected_tags.csv (a WD tagger) or ' +
      'config.json + tokenizer.json + onnx/*.onnx (a transformers.js model)'
  )
}

async function inspectTagger(dir: string, opts: InspectOptions): Promise<ModelFolderInfo> {
  const missing: string[] = []
  for (const f of ['model.onnx', 'selected_tags.csv']) {
    if (!(await isFile(path.join(dir, f)))) missing.push(f)
  }
  if (missing.length > 0) {
    throw new ModelError(dir, `is a tagger folder missing ${missing.join(' and ')}`)
  }
  const host = opts.host ?? new InferenceHost({ idleMs: 0 })
  try {
    const t = await openTagger(host, dir, opts)
    const warnings: string[] = []
    if (t.session.fallbackReason) warnings.push(`running on cpu: ${t.session.fallbackReason}`)
    const counts = { rating: 0, general: 0, character: 0 }
    for (const l of t.labels) counts[l.kind]++
    if (counts.rating === 0) warnings.push('selected_tags.csv has no rating tags (category 9)')
    if (counts.general === 0) warnings.push('selected_tags.csv has no general tags (category 0)')
    return {
      dir,
      kind: 'tagger',
      files: ['model.onnx', 'selected_tags.csv'],
      inputNames: t.session.inputs.map((i) => i.name),
      outputNames: t.session.outputs.map((o) => o.name),
      inputSize: t.io.inputSize,
      numTags: t.io.numTags,
      batch: t.io.batch,
      modelType: 'wd-tagger',
      ep: t.session.ep,
      warnings
    }
  } finally {
    if (!opts.host) await host.close()
  }
}

async function readJson(file: string): Promise<Record<string, unknown>> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    throw new ModelError(file, `cannot be read (${(err as NodeJS.ErrnoException).code ?? err})`)
  }
  let v: unknown
  try {
    v = JSON.parse(text.replace(/^\uFEFF/, ''))
  } catch (err) {
    throw new ModelError(file, `is not valid JSON: ${(err as Error).message}`)
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new ModelError(file, 'is not a JSON object')
  }
  return v as Record<string, unknown>
}

function kindOf(modelType: string): Exclude<ModelKind, 'tagger'> | null {
  if (modelType === 'vision-encoder-decoder') return 'image-to-text'
  if (modelType === 'florence2') return 'florence2'
  if (CHAT_VLM_TYPES.has(modelType)) return 'chat-vlm'
  return null
}

async function readText(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8')
  } catch {
    return null
  }
}

/**
 * What a chat VLM folder must hold beyond the file list, checked without loading it: the
 * processor class, the chat template, the image token in the vocabulary, and config.json's
 * text_config for the families transformers.js reads it from.
 */
async function checkChatVlm(
  dir: string,
  modelType: string,
  config: Record<string, unknown>,
  files: string[]
): Promise<void> {
  const configFile = path.join(dir, 'config.json')
  if (NEEDS_TEXT_CONFIG.has(modelType) && typeof config.text_config !== 'object')
    throw new ModelError(
      configFile,
      `has no "text_config": transformers.js reads a ${modelType} model's layers and cache ` +
        'from it (re-export the folder with a recent transformers)'
    )
  const pre = await readJson(path.join(dir, 'preprocessor_config.json'))
  if (typeof pre.processor_class !== 'string')
    throw new ModelError(
      path.join(dir, 'preprocessor_config.json'),
      'has no "processor_class": without it transformers.js builds a processor with no ' +
        'tokenizer and no chat template'
    )
  const tc = await readJson(path.join(dir, 'tokenizer_config.json'))
  if (!tc.chat_template) {
    const jinja = await readText(path.join(dir, 'chat_template.jinja'))
    let fromJson: unknown = null
    const jsonText = await readText(path.join(dir, 'chat_template.json'))
    if (jsonText !== null) {
      try {
        fromJson = (JSON.parse(jsonText) as { chat_template?: unknown }).chat_template
      } catch (err) {
        throw new ModelError(
          path.join(dir, 'chat_template.json'),
          `is not valid JSON: ${(err as Error).message}`
        )
      }
    }
    if (jinja) files.push('chat_template.jinja')
    else if (typeof fromJson === 'string') files.push('chat_template.json')
    else
      throw new ModelError(
        path.join(dir, 'tokenizer_config.json'),
        'has no "chat_template", and the folder has no chat_template.jinja or ' +
          'chat_template.json: a chat VLM needs its chat template to place the image and the prompt'
      )
  }
  const imageTokenId = imageTokenIdOf(config)
  if (imageTokenId === null)
    throw new ModelError(
      configFile,
      'has no "image_token_id" (or "image_token_index"): transformers.js cannot tell where the image goes'
    )
  const tokFile = path.join(dir, 'tokenizer.json')
  const tok = (await readJson(tokFile)) as {
    added_tokens?: { id?: unknown }[]
    model?: { vocab?: unknown }
  }
  const inAdded = (tok.added_tokens ?? []).some((t) => t.id === imageTokenId)
  const vocab = tok.model?.vocab
  const inVocab =
    vocab && typeof vocab === 'object' && !Array.isArray(vocab)
      ? Object.values(vocab).includes(imageTokenId)
      : Array.isArray(vocab) && imageTokenId < vocab.length
  if (!inAdded && !inVocab)
    throw new ModelError(
      tokFile,
      `has no token with id ${imageTokenId}, the image token config.json names: the image could ` +
        'not reach the model (the vocabulary lacks the image placeholder)'
    )
}

async function inspectTransformers(dir: string): Promise<ModelFolderInfo> {
  const configFile = path.join(dir, 'config.json')
  const config = await readJson(configFile)
  const modelType = typeof config.model_type === 'string' ? config.model_type : ''
  if (!modelType) throw new ModelError(configFile, 'has no "model_type"')
  const kind = kindOf(modelType)
  if (!kind) {
    const backbone = TEXT_BACKBONES.has(modelType)
      ? ` — "${modelType}" is a text model; a vision-language model's config.json names the VLM ` +
        '(qwen2_vl, qwen2_5_vl, smolvlm, …)'
      : modelType === 'llava_onevision'
        ? ' — transformers.js 4.3.1 has no processor for llava_onevision'
        : ''
    throw new ModelError(
      configFile,
      `declares model_type "${modelType}", which Glossa cannot caption with ` +
        '(supported: vision-encoder-decoder, florence2, ' +
        [...CHAT_VLM_TYPES].join(', ') +
        ')' +
        backbone
    )
  }
  const missing: string[] = []
  const files = ['config.json']
  // transformers.js opens these unconditionally (AutoTokenizer, the image processor)
  const required = ['tokenizer.json', 'tokenizer_config.json', 'preprocessor_config.json']
  if (kind === 'chat-vlm' && NEEDS_PROCESSOR_CONFIG.has(modelType))
    required.push('processor_config.json')
  for (const f of required) {
    if (await isFile(path.join(dir, f))) files.push(f)
    else missing.push(f)
  }
  if (await isFile(path.join(dir, 'generation_config.json'))) files.push('generation_config.json')
  let onnxFiles: string[] | null = null
  try {
    onnxFiles = (await readdir(path.join(dir, 'onnx'))).filter((f) => f.endsWith('.onnx')).sort()
  } catch {
    missing.push('the onnx/ folder')
  }
  const warnings: string[] = []
  if (onnxFiles) {
    const present = onnxFiles
    for (const need of REQUIRED_SESSIONS[kind]) {
      const alts = need.split('|')
      // `name.onnx` or a dtype variant `name_fp16.onnx`, `name_q4.onnx`, …
      const found = present.filter((f) =>
        alts.some((a) => f === `${a}.onnx` || f.startsWith(`${a}_`))
      )
      if (found.length === 0) missing.push(`onnx/${alts[0]}.onnx`)
      else files.push(...found.map((f) => `onnx/${f}`))
    }
    if (present.length > 0 && !present.some((f) => /^[a-z_]+\.onnx$/.test(f))) {
      warnings.push('only quantised/suffixed ONNX files are present; pick the matching dtype')
    }
  }
  if (missing.length > 0) {
    throw new ModelError(dir, `is a ${kind} model (${modelType}) missing ${missing.join(', ')}`)
  }
  await readJson(path.join(dir, 'tokenizer.json'))
  if (kind === 'chat-vlm') await checkChatVlm(dir, modelType, config, files)
  return {
    dir,
    kind,
    files: [...new Set(files)],
    inputNames: [],
    outputNames: [],
    inputSize: null,
    numTags: null,
    batch: null,
    modelType,
    ep: null,
    warnings
  }
}
