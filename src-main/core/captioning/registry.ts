/**
 * The model registry (table `models`, migration 0003): local folders the user added or
 * downloaded, inspected and validated when added (captioner/models.ts). Ids are readable slugs
 * (the folder name, made unique) because they appear in caption provenance
 * `model:<id>:<preset>`. Adding the same folder again refreshes its entry and keeps its id.
 * Also: the inference runtime settings (execution provider, thread counts) and what the shared
 * inference host last reported (EP in use, fallback reason), for `models.status`.
 */
import path from 'node:path'
import fs from 'node:fs'
import type { Database } from 'better-sqlite3'
import type { ModelInfo, ModelKind, RuntimeSettings, ExecutionProviderName } from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import type { CoreContext } from '../context'
import { inspectModelFolder, type ModelFolderInfo } from './inference/models'
import type { InferenceHost } from './inference/host'
import type { GenerativeSpec } from './inference/protocol'
import { readSetting } from '../library/queries'

interface ModelRow {
  id: string
  kind: ModelKind
  name: string
  dir: string
  info: string
  repo_id: string | null
  added_at: number
}

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
  if (kind === 'tagger') return null
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
    defaultPreset: defaultPresetFor(r.kind)
  }
}

export function listModels(db: Database): ModelInfo[] {
  return (db.prepare('SELECT * FROM models ORDER BY added_at, id').all() as ModelRow[]).map(toInfo)
}

export interface RegisteredModel extends ModelInfo {
  dtype: GenerativeSpec['dtype'] | null
}

export function getModel(db: Database, id: string): RegisteredModel {
  const r = db.prepare('SELECT * FROM models WHERE id = ?').get(id) as ModelRow | undefined
  if (!r) throw new GlossaError('NOT_FOUND', `model "${id}" is not registered (see models.list)`)
  const dtype = (JSON.parse(r.info) as StoredInfo).dtype ?? null
  return { ...toInfo(r), dtype }
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
  const existing = db.prepare('SELECT id, name, repo_id FROM models WHERE dir = ?').get(dir) as
    { id: string; name: string; repo_id: string | null } | undefined
  const name = opts.name ?? existing?.name ?? path.basename(dir)
  const repoId = opts.repoId ?? existing?.repo_id ?? null
  let id = existing?.id
  if (!id) {
    const base = slug(repoId ? repoId.split('/').pop()! : path.basename(dir))
    id = base
    for (let n = 2; db.prepare('SELECT 1 FROM models WHERE id = ?').get(id); n++)
      id = `${base}-${n}`
  }
  db.prepare(
    `INSERT INTO models (id, kind, name, dir, info, repo_id, added_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, name = excluded.name,
       info = excluded.info, repo_id = excluded.repo_id`
  ).run(id, info.kind, name, dir, JSON.stringify(stored), repoId, Date.now())
  return getModel(db, id)
}

export function removeModel(db: Database, id: string): boolean {
  return db.prepare('DELETE FROM models WHERE id = ?').run(id).changes > 0
}

// ---------------------------------------------------------------------------------------------
// Runtime settings and host status

const RUNTIME_KEY = 'inference.runtime'
const DEFAULT_RUNTIME: RuntimeSettings = { ep: 'cpu', intraOpThreads: 0, interOpThreads: 0 }

export function readRuntime(db: Database): RuntimeSettings {
  const v = readSetting(db, RUNTIME_KEY)
  if (!v || typeof v !== 'object') return { ...DEFAULT_RUNTIME }
  return { ...DEFAULT_RUNTIME, ...(v as Partial<RuntimeSettings>) }
}

export function writeRuntime(db: Database, patch: Partial<RuntimeSettings>): RuntimeSettings {
  const next = { ...readRuntime(db), ...patch }
  db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'
  ).run(RUNTIME_KEY, JSON.stringify(next))
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
