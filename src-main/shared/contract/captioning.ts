/**
 * The captioning part of the contract: argument schemas and result types, merged into api.ts.
 * Import building blocks from ../schemas (never from ../api, which imports this file).
 *
 * Models are registered folders with a readable string id (the folder name, made unique), so a
 * caption's provenance reads `model:<modelId>:<preset>`. Presets: built-ins are read-only, user
 * presets live in the library. `caption.start` and `models.download` return a job id; follow it
 * with `job.progress` events and `jobs.get` / `jobs.errors` / `jobs.cancel` / `jobs.resume`.
 */
import { z } from 'zod'
import { EXECUTION_PROVIDERS } from '../constants'
import { CaptionFields, Id, IdList, ImageFilter, Lang } from '../schemas'
import { EndpointDefinition } from './endpoint'

export {
  EndpointDefinition,
  ENDPOINT_NAME_RE,
  ENV_VAR_RE,
  normaliseBaseUrl,
  type EndpointDefinitionInput
} from './endpoint'

/**
 * Local model kinds (folders), 'endpoint' (an OpenAI-compatible server, issue 16) and 'ocr' (the
 * built-in OCR model, id `ocr`: PP-OCRv4 text detection + recognition, zh and en, filling the
 * structured `text` field and flagging watermarks; issue 13).
 */
export const MODEL_KINDS = [
  'tagger',
  'image-to-text',
  'florence2',
  'chat-vlm',
  'endpoint',
  'ocr'
] as const
export type ModelKind = (typeof MODEL_KINDS)[number]
export type ExecutionProviderName = (typeof EXECUTION_PROVIDERS)[number]

export const ModelId = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, dot, dash and underscore')
export const PresetId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'use lowercase letters, digits and dashes')
/** Hugging Face repo id: owner/name */
export const RepoId = z
  .string()
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*\/[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'owner/name')
  .refine((s) => !s.includes('..'), 'no ".." in a repo id')
const HttpUrl = z
  .string()
  .max(500)
  .regex(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, 'an http(s) base URL')

/** Tagger thresholds and output rules (captioner/tagger.ts TagSelectOptions). */
export const TagOptions = z
  .object({
    generalThreshold: z.number().min(0).max(1.01).optional(),
    characterThreshold: z.number().min(0).max(1.01).optional(),
    generalMcut: z.boolean().optional(),
    characterMcut: z.boolean().optional(),
    rating: z.enum(['drop', 'top']).optional(),
    replaceUnderscores: z.boolean().optional(),
    exclude: z.array(z.string().max(200)).max(5000).optional(),
    order: z.enum(['score', 'csv']).optional()
  })
  .strict()
export type TagOptions = z.infer<typeof TagOptions>

export const Decoding = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('greedy') }).strict(),
  z
    .object({
      mode: z.literal('sample'),
      seed: z
        .number()
        .int()
        .min(0)
        .max(2 ** 32 - 1),
      temperature: z.number().min(0.01).max(5).optional(),
      topP: z.number().min(0).max(1).optional(),
      topK: z.number().int().min(1).max(1000).optional()
    })
    .strict()
])
export type DecodingArg = z.infer<typeof Decoding>

/** Options shared by preview and start. */
const RunOptions = {
  modelId: ModelId,
  /** generative presets (see presets.list); ignored by taggers and plain image-to-text models */
  preset: PresetId.optional(),
  /** the caption language written; default the preset's language ('en' for image-to-text) */
  lang: Lang.optional(),
  tagOptions: TagOptions.optional(),
  decoding: Decoding.optional(),
  maxNewTokens: z.number().int().min(1).max(4096).optional()
}

export const CaptionTarget = z
  .object({
    datasetId: Id.optional(),
    filter: ImageFilter.optional(),
    /** an explicit selection; combined with datasetId/filter when both are given */
    imageIds: IdList(1_000_000, 1).optional()
  })
  .strict()
  .refine(
    (t) => t.datasetId !== undefined || t.filter !== undefined || t.imageIds !== undefined,
    'give a datasetId, a filter or imageIds'
  )
export type CaptionTarget = z.infer<typeof CaptionTarget>

export const PresetInput = z
  .object({
    id: PresetId,
    name: z.string().trim().min(1).max(100),
    lang: Lang,
    template: z.string().trim().min(1).max(4000),
    output: z.enum(['text', 'fields']),
    content: z.enum(['none', 'knowledge', 'raw'])
  })
  .strict()

/** A Hugging Face repo to download (or to plan a download of). */
const DownloadSource = z
  .object({
    repoId: RepoId,
    /** base URL replacing https://huggingface.co (a mirror) */
    mirror: HttpUrl.optional(),
    /** glob patterns of repo paths to fetch; default the catalogue entry's list, else all */
    include: z.array(z.string().min(1).max(500)).min(1).max(100).optional(),
    revision: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,100}$/)
      .optional()
  })
  .strict()

export const captioningArgs = {
  'models.list': z.object({}).strict(),
  'models.add': z
    .object({
      dir: z.string().min(1).max(4096),
      /** display name; default the folder name */
      name: z.string().trim().min(1).max(200).optional()
    })
    .strict(),
  /** forgets the model (its files stay where they are) */
  'models.remove': z.object({ id: ModelId }).strict(),
  'models.catalogue': z.object({}).strict(),
  /** what a download would fetch (files and sizes, from the repo listing), before fetching */
  'models.downloadPlan': DownloadSource,
  'models.download': DownloadSource,
  /** adds an OpenAI-compatible endpoint as a model (or, with replace, updates it); the API key
   *  is never part of it: keyEnv names the environment variable that holds it */
  'models.endpointSave': z
    .object({ endpoint: EndpointDefinition, replace: z.boolean().default(false) })
    .strict(),
  /** "Test connection": GET /models on a saved endpoint (id) or on a definition not saved yet */
  'models.endpointTest': z.union([
    z.object({ id: ModelId }).strict(),
    z.object({ endpoint: EndpointDefinition }).strict()
  ]),
  /** desktop app only: keep (or, with null, forget) an endpoint's API key in the system keychain
   *  (Electron safeStorage), outside the library; refused where there is none (browser mode, CLI) */
  'models.endpointKey': z
    .object({ id: ModelId, key: z.string().trim().min(1).max(4096).nullable() })
    .strict(),
  'models.unload': z.object({}).strict(),
  'models.status': z.object({}).strict(),
  'models.setRuntime': z
    .object({
      ep: z.enum(EXECUTION_PROVIDERS).optional(),
      intraOpThreads: z.number().int().min(0).max(256).optional(),
      interOpThreads: z.number().int().min(0).max(256).optional()
    })
    .strict(),

  'presets.list': z.object({}).strict(),
  'presets.save': PresetInput,
  'presets.delete': z.object({ id: PresetId }).strict(),

  'caption.preview': z.object({ imageId: Id, ...RunOptions }).strict(),
  /** the prompts last sent for an image, per language, with the glossary entries they carried */
  'caption.prompts': z.object({ imageId: Id }).strict(),
  'caption.start': z
    .object({
      target: CaptionTarget,
      ...RunOptions,
      /** replace captions (or tags) whose source is 'manual'; default false */
      overwriteManual: z.boolean().default(false),
      /** caption again images already captioned by this model+preset; default false */
      redo: z.boolean().default(false),
      /** images per inference call for taggers with a dynamic batch (default 8) */
      batch: z.number().int().min(1).max(256).optional()
    })
    .strict()
} satisfies Record<string, z.ZodType>

// ---------------------------------------------------------------------------------------------
// Results

export interface ModelInfo {
  id: string
  kind: ModelKind
  name: string
  dir: string
  addedAt: number
  /** the Hugging Face repo it was downloaded from, if any */
  repoId: string | null
  files: string[]
  inputSize: number | null
  numTags: number | null
  batch: number | 'dynamic' | null
  modelType: string | null
  warnings: string[]
  /** the preset used when none is given (null for taggers) */
  defaultPreset: string | null
  /** kind 'endpoint': the server it talks to (dir is then its base URL) */
  endpoint: EndpointInfo | null
}

export interface EndpointInfo {
  /** the normalised base URL (…/v1) */
  url: string
  /** the model name sent to the server */
  model: string
  /** the environment variable the key comes from, if any */
  keyEnv: string | null
  /** the desktop app holds a key for it in the system keychain */
  keyStored: boolean
  /** a key is available right now (the variable is set, or a stored key exists) */
  keyAvailable: boolean
  keyHeader: 'authorization' | 'api-key' | 'x-api-key'
  concurrency: number
  maxSide: number
  imageFormat: 'auto' | 'jpeg' | 'png'
  stream: boolean
  timeoutMs: number
  maxTokensField: 'max_tokens' | 'max_completion_tokens'
  /** names of the extra headers sent (values are not secret, but are not listed) */
  headerNames: string[]
}

export interface EndpointTestResult {
  ok: boolean
  /** the model ids the server lists */
  models: string[]
  /** whether the endpoint's model is among them (null when the list could not be read) */
  modelServed: boolean | null
  /** one sentence saying what happened */
  message: string
  /** the error kind (auth, unreachable, not-found, …) when it failed */
  errorKind: string | null
}

export interface DownloadPlan {
  repoId: string
  revision: string
  /** where the files go */
  dir: string
  files: {
    path: string
    size: number
    /** bytes already there (finished or partial) */ have: number
  }[]
  totalBytes: number
  haveBytes: number
  /** the include patterns used (the catalogue's, when the repo is in it) */
  include: string[] | null
  /** files the model needs that the repo does not have (a download would not load) */
  missing: string[]
}

export interface KnowledgeUse {
  entryId: number
  /** the name the prompt used */
  name: string
}

export interface CaptionPromptRecord {
  lang: Lang
  /** provenance of the caption this prompt produced */
  source: string
  /** the user message: the preset rendered for the image */
  prompt: string
  /** local chat VLMs: the chat template's output, as the model received it */
  rendered: string | null
  /** glossary entries the prompt carried */
  knowledge: KnowledgeUse[]
  at: number
  /** the caption of this language is still the text this prompt produced */
  current: boolean
}

export interface CatalogueEntry {
  repoId: string
  name: string
  kind: ModelKind
  /** approximate download size of the `include` files, in bytes */
  sizeBytes: number
  sizeApproximate: boolean
  licence: string
  goodAt: string
  languages: string[]
  /** repo paths (globs) fetched by default */
  include: string[]
  /** exact paths the repo must have for the model to load (checked before downloading) */
  required?: string[]
  /** chat VLMs: config.json's model_type and the dtype whose files `include` lists */
  modelType?: string
  dtype?: string
  notes?: string
}

export interface PresetInfo {
  id: string
  name: string
  lang: Lang
  template: string
  output: 'text' | 'fields'
  content: 'none' | 'knowledge' | 'raw'
  builtin: boolean
}

export interface RuntimeSettings {
  ep: ExecutionProviderName
  intraOpThreads: number
  interOpThreads: number
}

export interface ModelsStatus {
  /** the inference worker is alive (models stay warm in it) */
  running: boolean
  /** worker starts so far (a crash or an unload followed by use adds one) */
  starts: number
  loaded: string[]
  runtime: RuntimeSettings
  /** the execution provider of the last load or run, null before any */
  ep: ExecutionProviderName | null
  /** this app can keep endpoint API keys in the system keychain (desktop); otherwise only
   *  environment variables (keyEnv) */
  keyStorage: boolean
  /** why the requested provider is not in use */
  fallbackReason: string | null
  lastModelId: string | null
}

export interface CaptionPreview {
  modelId: string
  kind: ModelKind
  preset: string | null
  lang: Lang
  /** the rendered prompt (null for taggers and image-to-text models) */
  prompt: string | null
  /** local chat VLMs: the chat template's output the model received */
  rendered: string | null
  /** glossary entries the prompt carried */
  knowledge: KnowledgeUse[]
  tags: { tag: string; score: number; kind: string }[] | null
  text: string | null
  fields: CaptionFields | null
  ep: ExecutionProviderName | null
  fallbackReason: string | null
  /** what a run would write for this image: 'write', or why it would skip it */
  wouldWrite: 'write' | 'skip-manual' | 'skip-same-model'
}

export interface CaptioningResults {
  'models.list': ModelInfo[]
  'models.add': ModelInfo
  'models.remove': { removed: boolean }
  'models.catalogue': CatalogueEntry[]
  'models.downloadPlan': DownloadPlan
  'models.download': { jobId: number; dir: string; resumed: boolean }
  'models.endpointSave': ModelInfo
  'models.endpointTest': EndpointTestResult
  'models.endpointKey': { stored: boolean }
  'models.unload': { wasRunning: boolean }
  'models.status': ModelsStatus
  'models.setRuntime': RuntimeSettings
  'presets.list': PresetInfo[]
  'presets.save': PresetInfo
  'presets.delete': { deleted: boolean }
  'caption.preview': CaptionPreview
  'caption.prompts': CaptionPromptRecord[]
  'caption.start': { jobId: number }
}
