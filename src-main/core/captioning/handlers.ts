/**
 * Captioning methods: the model registry (local folders and OpenAI-compatible endpoints:
 * add/list/remove/test, keys; the catalogue, download plans and downloads), the inference host
 * (status/unload/runtime settings), prompt presets, a one-image preview, per-image prompt records
 * and caption jobs.
 */
import fs from 'node:fs'
import path from 'node:path'
import type {
  CaptionPreview,
  CaptionPromptRecord,
  EndpointTestResult,
  KnowledgeUse,
  ModelsStatus
} from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import type { CoreContext, HandlerMap } from '../context'
import { readCaption } from '../captions/queries'
import { catalogue, catalogueEntry } from './catalogue'
import { hostOf, skipReason } from './job'
import { DEFAULT_HF_BASE, downloadDir, planDownload } from './download'
import {
  ApiKey,
  EndpointError,
  resolveApiKey,
  resolveEndpointKey,
  testConnection,
  type EndpointDefinition
} from './endpoint'
import {
  captionOne,
  imageInput,
  makePlan,
  openModel,
  promptFor,
  tagImagesOf,
  type ImageOutcome
} from './plan'
import { deletePreset, listPresets, savePreset } from './presets-store'
import { captionImageRow, datasetExists, promptRows, unfinishedDownload } from './queries'
import {
  addModel,
  getModel,
  hostNote,
  listModels,
  readRuntime,
  removeModel,
  saveEndpoint,
  writeRuntime
} from './registry'

async function endpointTest(
  ctx: CoreContext,
  def: EndpointDefinition,
  saved: boolean
): Promise<EndpointTestResult> {
  let apiKey: ApiKey | null
  try {
    apiKey = saved ? resolveEndpointKey(def, ctx.keyStore) : resolveApiKey(def)
  } catch (err) {
    const e = err as EndpointError
    return { ok: false, models: [], modelServed: null, message: e.message, errorKind: e.kind }
  }
  const r = await testConnection({ def, apiKey }, { signal: ctx.closing })
  return {
    ok: r.ok,
    models: r.models,
    modelServed: r.modelServed,
    message: r.message,
    errorKind: r.error?.kind ?? null
  }
}

function promptRecords(ctx: CoreContext, imageId: number): CaptionPromptRecord[] {
  return promptRows(ctx.db, imageId).map((r) => ({
    lang: r.lang,
    source: r.source,
    prompt: r.prompt,
    rendered: r.rendered,
    knowledge: JSON.parse(r.knowledge) as KnowledgeUse[],
    at: r.at,
    current: readCaption(ctx.db, imageId, r.lang)?.text === r.caption
  }))
}

export const captioningHandlers = {
  'models.list': (ctx) => listModels(ctx.db, ctx.keyStore),
  'models.add': (ctx, a) => addModel(ctx, hostOf(ctx), a.dir, a.name ? { name: a.name } : {}),
  'models.remove': async (ctx, a) => {
    const m = getModel(ctx.db, a.id)
    if (m.kind !== 'endpoint')
      await hostOf(ctx).release(m.kind === 'tagger' ? path.join(m.dir, 'model.onnx') : m.dir)
    return { removed: removeModel(ctx.db, a.id, ctx.keyStore) }
  },
  'models.catalogue': () => catalogue(),
  'models.downloadPlan': async (ctx, a) => {
    const entry = catalogueEntry(a.repoId)
    return planDownload(
      {
        repoId: a.repoId,
        base: a.mirror ?? DEFAULT_HF_BASE,
        revision: a.revision ?? 'main',
        include: a.include ?? entry?.include ?? null,
        required: a.include ? null : (entry?.required ?? null),
        dir: downloadDir(ctx, a.repoId)
      },
      ctx.closing
    )
  },
  'models.download': (ctx, a) => {
    const entry = catalogueEntry(a.repoId)
    const dir = downloadDir(ctx, a.repoId)
    const base = a.mirror ?? DEFAULT_HF_BASE
    const unfinished = unfinishedDownload(ctx.db, dir, base)
    if (unfinished !== null && !a.include) {
      const job = ctx.jobs.resume(unfinished)
      return { jobId: job.id, dir, resumed: true }
    }
    const job = ctx.jobs.create('download', null, {
      repoId: a.repoId,
      base,
      revision: a.revision ?? 'main',
      include: a.include ?? entry?.include ?? null,
      required: a.include ? null : (entry?.required ?? null),
      dir
    })
    return { jobId: job.id, dir, resumed: false }
  },
  'models.endpointSave': (ctx, a) =>
    ctx.db.transaction(() => saveEndpoint(ctx.db, a.endpoint, a.replace, ctx.keyStore)).immediate(),
  'models.endpointTest': async (ctx, a) => {
    if ('endpoint' in a) return endpointTest(ctx, a.endpoint, false)
    const m = getModel(ctx.db, a.id, ctx.keyStore)
    if (!m.definition)
      throw new GlossaError('INVALID_ARGS', `"${a.id}" is a local model, not an endpoint`)
    return endpointTest(ctx, m.definition, true)
  },
  'models.endpointKey': (ctx, a) => {
    const m = getModel(ctx.db, a.id)
    if (!m.definition)
      throw new GlossaError('INVALID_ARGS', `"${a.id}" is a local model; it has no API key`)
    const store = ctx.keyStore
    if (!store)
      throw new GlossaError(
        'FORBIDDEN',
        'this Glossa keeps no API keys (browser mode and the command line take them from ' +
          'environment variables only): set keyEnv (--key-env VAR) and start Glossa with VAR set'
      )
    if (a.key === null) {
      store.delete(a.id)
      return { stored: false }
    }
    try {
      store.set(a.id, new ApiKey(a.key))
    } catch (err) {
      throw new GlossaError('FORBIDDEN', (err as Error).message)
    }
    return { stored: true }
  },
  'models.unload': async (ctx) => {
    const host = hostOf(ctx)
    const wasRunning = host.running
    await host.unload()
    return { wasRunning }
  },
  'models.status': async (ctx): Promise<ModelsStatus> => {
    const host = hostOf(ctx)
    const note = hostNote(host)
    return {
      running: host.running,
      starts: host.starts,
      loaded: await host.loadedSessions(),
      runtime: readRuntime(ctx.db),
      ep: note.ep,
      keyStorage: ctx.keyStore?.available() ?? false,
      fallbackReason: note.fallbackReason,
      lastModelId: note.lastModelId ?? null
    }
  },
  'models.setRuntime': async (ctx, a) => {
    const before = readRuntime(ctx.db)
    const next = writeRuntime(ctx.db, a)
    // sessions are keyed by runtime: drop the old ones so memory is not held twice
    if (JSON.stringify(before) !== JSON.stringify(next)) await hostOf(ctx).unload()
    return next
  },

  'presets.list': (ctx) => listPresets(ctx.db),
  'presets.save': (ctx, a) => savePreset(ctx.db, a),
  'presets.delete': (ctx, a) => ({ deleted: deletePreset(ctx.db, a.id) }),

  'caption.preview': async (ctx, a): Promise<CaptionPreview> => {
    const plan = makePlan(ctx.db, a)
    const row = captionImageRow(ctx.db, a.imageId)
    if (!row) throw new GlossaError('NOT_FOUND', `image ${a.imageId} does not exist`)
    if (row.error)
      throw new GlossaError('INVALID_ARGS', `${row.path}: this file failed import (${row.error})`)
    if (!fs.existsSync(row.path))
      throw new GlossaError('NOT_FOUND', `${row.path}: the source file is missing`)
    const img = imageInput(row)
    const host = hostOf(ctx)
    const abort = new AbortController()
    const open = await openModel(ctx, host, plan, { signal: abort.signal })
    let r: ImageOutcome | null = null
    try {
      if (open.kind === 'tagger')
        await tagImagesOf(host, plan, open.tagger, [img], undefined, (o) => (r = o))
      else r = await captionOne(host, plan, open, img, promptFor(ctx.db, plan, img))
    } finally {
      abort.abort()
    }
    const res = r as ImageOutcome | null
    if (!res) throw new GlossaError('INTERNAL', 'the model returned no result')
    if (!res.ok) throw new GlossaError('INVALID_ARGS', res.error, { file: row.path })
    const note = hostNote(host)
    const local = plan.kind !== 'endpoint'
    return {
      modelId: plan.model.id,
      kind: plan.kind,
      preset: plan.preset ? plan.presetId : null,
      lang: plan.lang,
      prompt: res.prompt,
      rendered: res.rendered,
      knowledge: res.knowledge,
      tags: res.tags ? res.tags.map((t) => ({ tag: t.tag, score: t.score, kind: t.kind })) : null,
      text: res.text,
      fields: res.fields,
      ep: local ? note.ep : null,
      fallbackReason: local ? note.fallbackReason : null,
      wouldWrite:
        skipReason(ctx.db, plan, row.id, { overwriteManual: false, redo: false }) ?? 'write'
    }
  },
  'caption.prompts': (ctx, a) => promptRecords(ctx, a.imageId),
  'caption.start': (ctx, a) => {
    const plan = makePlan(ctx.db, a) // validates model and preset before queuing
    const t = a.target
    if (t.datasetId !== undefined && !datasetExists(ctx.db, t.datasetId))
      throw new GlossaError('NOT_FOUND', `dataset ${t.datasetId} does not exist`)
    const datasetId = t.datasetId ?? t.filter?.datasetId ?? null
    const job = ctx.jobs.create('caption', datasetId, {
      ...a,
      preset: plan.preset ? plan.presetId : undefined,
      // the OCR model writes both languages unless the run names one
      lang: plan.kind === 'ocr' ? a.lang : plan.lang
    })
    return { jobId: job.id }
  }
} satisfies Partial<HandlerMap>
