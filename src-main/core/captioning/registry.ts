/**
 * The model registry: local folders the user added or downloaded (table `models`, migration
 * 0003), inspected and validated when added (inference/models.ts), and OpenAI-compatible endpoints
 * (table `endpoints`, migration 0010), validated by the contract's EndpointDefinition. Both kinds
 * share one id space: ids are readable slugs (a folder name made unique, or the endpoint's name)
 * because they appear in caption provenance (`model:<id>:<preset>`,
 * `endpoint:<name>:<server model>:<preset>`). Adding the same folder again refreshes its entry
 * and keeps its id.
 * Also: the inference runtime settings (execution provider, thread counts) and what the shared
 * inference host last reported (EP in use, fallback reason), for `models.status`.
 */
import path from 'node:path'
import fs from 'node:fs'
import type { ReadableDB, WritableDB } from '../db/types'
import type {
  EndpointInfo,
  ModelInfo,
  ModelKind,
  RuntimeSettings,
  ExecutionProviderName
} from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import type { CoreContext } from '../context'
import { inspectModelFolder, type ModelFolderInfo } from './inference/models'
import type { InferenceHost } from './inference/host'
import type { GenerativeSpec } from './inference/protocol'
import { EndpointDefinition } from './endpoint/schema'
import type { EndpointKeyStore } from './endpoint/keys'
import { readSetting, writeSetting } from '../library/queries'
import { OCR_MODEL_ID, ocrModelInfo } from './ocr-run'
import {
  allEndpointRows,
  allModelRows,
  deleteEndpoint,
  deleteModel,
  endpointRow,
  modelByDir,
  modelIdTaken,
  modelRow,
  upsertEndpoint,
  upsertModel,
  type EndpointRow,
  type ModelRow
} from './queries'

/**
 * Ids of models built into Glossa rather than registered (the OCR model, `glossa caption --model
 * ocr`; ocr-run.ts): no folder or endpoint may take them. getModel knows them; models.list shows
 * registered models only.
 */
export const RESERVED_MODEL_IDS: ReadonlySet<string> = new Set([OCR_MODEL_ID])

interface StoredInfo {
  files: string[]
  inputSize: number | null
  numTags: number | null
  batch: number | 'dynamic' | null
  modelType: string | null
  warnings: string[]
  dtype: GenerativeSpec['dtype'] | null
}

export function defaultPresetFor(kind: ModelKind): string | null {
  if (kind === 'tagger' || kind === 'ocr') return null
  if (kind === 'image-to-text') return 'caption'
  if (kind === 'florence2') return 'florence-detailed-caption'
  return 'hunyuan-zh'
}

function toInfo(r: ModelRow): ModelInfo {
  const i = JSON.parse(r.info) as StoredInfo
  return {
    id: r.id,
    kind: r.kind,
    name: r.name,
    dir: r.dir,
    addedAt: r.added_at,
    repoId: r.repo_id,
    files: i.files ?? [],
    inputSize: i.inputSize ?? null,
    numTags: i.numTags ?? null,
    batch: i.batch ?? null,
    modelType: i.modelType ?? null,
    warnings: i.warnings ?? [],
    defaultPreset: defaultPresetFor(r.kind),
    endpoint: null
  }
}

/** A stored definition, validated again (a library edited by hand fails here with a sentence). */
export function endpointDefinitionOf(r: EndpointRow): EndpointDefinition {
  const parsed = EndpointDefinition.safeParse(JSON.parse(r.definition))
  if (!parsed.success)
    throw new GlossaError(
      'INVALID_ARGS',
      `endpoint "${r.name}": its stored definition is not valid (${parsed.error.issues
        .map((i) => i.message)
        .join('; ')}); add it again`
    )
  return parsed.data
}

function keyStored(store: EndpointKeyStore | undefined, name: string): boolean {
  try {
    return store?.has(name) ?? false
  } catch {
    return false
  }
}

export function endpointInfo(
  def: EndpointDefinition,
  store: EndpointKeyStore | undefined,
  env: Record<string, string | undefined> = process.env
): EndpointInfo {
  const stored = keyStored(store, def.name)
  return {
    url: def.url,
    model: def.model,
    keyEnv: def.keyEnv ?? null,
    keyStored: stored,
    keyAvailable: def.keyEnv ? Boolean(env[def.keyEnv]?.trim()) : stored,
    keyHeader: def.keyHeader,
    concurrency: def.concurrency,
    maxSide: def.maxSide,
    imageFormat: def.imageFormat,
    stream: def.stream,
    timeoutMs: def.timeoutMs,
    maxTokensField: def.maxTokensField,
    headerNames: Object.keys(def.headers ?? {})
  }
}

function endpointModelInfo(r: EndpointRow, store: EndpointKeyStore | undefined): ModelInfo {
  const def = endpointDefinitionOf(r)
  return {
    id: r.name,
    kind: 'endpoint',
    name: r.name,
    dir: def.url,
    addedAt: r.added_at,
    repoId: null,
    files: [],
    inputSize: null,
    numTags: null,
    batch: null,
    modelType: def.model,
    warnings: [],
    defaultPreset: defaultPresetFor('endpoint'),
    endpoint: endpointInfo(def, store)
  }
}

export function listModels(db: ReadableDB, store?: EndpointKeyStore): ModelInfo[] {
  const local = allModelRows(db).map(toInfo)
  const remote = allEndpointRows(db).map((r) => endpointModelInfo(r, store))
  return [...local, ...remote].sort((a, b) => a.addedAt - b.addedAt || a.id.localeCompare(b.id))
}

export interface RegisteredModel extends ModelInfo {
  dtype: GenerativeSpec['dtype'] | null
  /** kind 'endpoint': the validated definition */
  definition: EndpointDefinition | null
}

export function getModel(db: ReadableDB, id: string, store?: EndpointKeyStore): RegisteredModel {
  if (id === OCR_MODEL_ID) return { ...ocrModelInfo(), dtype: null, definition: null }
  const r = modelRow(db, id)
  if (r) {
    const dtype = (JSON.parse(r.info) as StoredInfo).dtype ?? null
    return { ...toInfo(r), dtype, definition: null }
  }
  const e = endpointRow(db, id)
  if (e) return { ...endpointModelInfo(e, store), dtype: null, definition: endpointDefinitionOf(e) }
  throw new GlossaError('NOT_FOUND', `model "${id}" is not registered (see models.list)`)
}

/**
 * Adds an endpoint (or, with `replace`, updates the one of that name). A name a local model
 * already uses is refused, as is an existing endpoint's name without `replace`.
 */
export function saveEndpoint(
  db: WritableDB,
  def: EndpointDefinition,
  replace: boolean,
  store?: EndpointKeyStore
): ModelInfo {
  const existing = endpointRow(db, def.name)
  if (RESERVED_MODEL_IDS.has(def.name))
    throw new GlossaError(
      'CONFLICT',
      `"${def.name}" is the id of a model built into Glossa; give the endpoint another name`
    )
  if (modelRow(db, def.name))
    throw new GlossaError(
      'CONFLICT',
      `"${def.name}" is already the id of a local model; give the endpoint another name`
    )
  if (existing && !replace)
    throw new GlossaError(
      'CONFLICT',
      `an endpoint named "${def.name}" exists; remove it first or save with replace`
    )
  upsertEndpoint(db, def.name, JSON.stringify(def), existing?.added_at ?? Date.now())
  return endpointModelInfo(endpointRow(db, def.name)!, store)
}

/** transformers.js dtype for the ONNX files present: unsuffixed = fp32, else the first variant. */
const DTYPE_SUFFIX: [NonNullable<GenerativeSpec['dtype']>, string][] = [
  ['fp16', '_fp16'],
  ['q4f16', '_q4f16'],
  ['q4', '_q4'],
  ['int8', '_int8'],
  ['uint8', '_uint8'],
  ['q8', '_quantized'],
  ['bnb4', '_bnb4']
]
function pickDtype(info: ModelFolderInfo): GenerativeSpec['dtype'] | null {
  if (info.kind === 'tagger') return null
  const onnx = info.files.filter((f) => f.startsWith('onnx/')).map((f) => path.basename(f, '.onnx'))
  if (onnx.some((f) => /^[a-z_]+$/.test(f) && !DTYPE_SUFFIX.some(([, s]) => f.endsWith(s))))
    return 'fp32'
  for (const [dtype, suffix] of DTYPE_SUFFIX) if (onnx.some((f) => f.endsWith(suffix))) return dtype
  return 'fp32'
}

function slug(s: string): string {
  const base = s
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+|-+$/g, '')
    .slice(0, 80)
  return base || 'model'
}

export interface AddModelOptions {
  name?: string
  repoId?: string | null
}

/** Inspects and registers a folder (or refreshes it when already registered). */
export async function addModel(
  ctx: CoreContext,
  host: InferenceHost,
  dirArg: string,
  opts: AddModelOptions = {}
): Promise<ModelInfo> {
  let dir = path.resolve(dirArg)
  try {
    dir = await fs.promises.realpath(dir)
  } catch {
    // inspectModelFolder reports the missing folder with its reason
  }
  const rt = readRuntime(ctx.db)
  const info = await inspectModelFolder(dir, { host, ...rtOpts(rt) })
  if (info.ep) noteHost(host, { ep: info.ep, fallbackReason: null })
  const stored: StoredInfo = {
    files: info.files,
    inputSize: info.inputSize,
    numTags: info.numTags,
    batch: info.batch,
    modelType: info.modelType,
    warnings: info.warnings,
    dtype: pickDtype(info)
  }
  const db = ctx.db
  const existing = modelByDir(db, dir)
  const name = opts.name ?? existing?.name ?? path.basename(dir)
  const repoId = opts.repoId ?? existing?.repo_id ?? null
  let id = existing?.id
  if (!id) {
    const base = slug(repoId ? repoId.split('/').pop()! : path.basename(dir))
    id = base
    for (let n = 2; modelIdTaken(db, id) || RESERVED_MODEL_IDS.has(id); n++) id = `${base}-${n}`
  }
  upsertModel(db, {
    id,
    kind: info.kind,
    name,
    dir,
    info: JSON.stringify(stored),
    repo_id: repoId,
    added_at: Date.now()
  })
  return getModel(db, id)
}

/** Forgets a model or an endpoint (and an endpoint's stored key). */
export function removeModel(db: WritableDB, id: string, store?: EndpointKeyStore): boolean {
  if (deleteModel(db, id)) return true
  if (!deleteEndpoint(db, id)) return false
  try {
    store?.delete(id)
  } catch {
    // the key file is unreadable: the endpoint is gone regardless
  }
  return true
}

// ---------------------------------------------------------------------------------------------
// Runtime settings and host status

const RUNTIME_KEY = 'inference.runtime'
const DEFAULT_RUNTIME: RuntimeSettings = { ep: 'cpu', intraOpThreads: 0, interOpThreads: 0 }

export function readRuntime(db: ReadableDB): RuntimeSettings {
  const v = readSetting(db, RUNTIME_KEY)
  if (!v || typeof v !== 'object') return { ...DEFAULT_RUNTIME }
  return { ...DEFAULT_RUNTIME, ...(v as Partial<RuntimeSettings>) }
}

export function writeRuntime(db: WritableDB, patch: Partial<RuntimeSettings>): RuntimeSettings {
  const next = { ...readRuntime(db), ...patch }
  writeSetting(db, RUNTIME_KEY, next)
  return next
}

export function rtOpts(rt: RuntimeSettings): {
  ep?: ExecutionProviderName
  intraOpThreads?: number
  interOpThreads?: number
} {
  const o: { ep?: ExecutionProviderName; intraOpThreads?: number; interOpThreads?: number } = {}
  if (rt.ep !== 'cpu') o.ep = rt.ep
  if (rt.intraOpThreads > 0) o.intraOpThreads = rt.intraOpThreads
  if (rt.interOpThreads > 0) o.interOpThreads = rt.interOpThreads
  return o
}

export interface HostNote {
  ep: ExecutionProviderName | null
  fallbackReason: string | null
  lastModelId?: string | null
}
const notes = new WeakMap<InferenceHost, HostNote>()

export function noteHost(host: InferenceHost, n: HostNote): void {
  const prev = notes.get(host)
  notes.set(host, { ...prev, ...n, lastModelId: n.lastModelId ?? prev?.lastModelId ?? null })
}
export function hostNote(host: InferenceHost): HostNote {
  return notes.get(host) ?? { ep: null, fallbackReason: null, lastModelId: null }
}
