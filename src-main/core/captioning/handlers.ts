/**
 * Captioning methods: the model registry (add/list/remove/catalogue/download), the inference
 * host (status/unload/runtime settings), prompt presets, a one-image preview and caption jobs.
 */
import fs from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import type { CatalogueEntry, CaptionPreview, ModelsStatus } from '../../shared/api'
import { MODEL_KINDS } from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import type { HandlerMap } from '../context'
import catalogueJson from '../../../resources/models-catalogue.json' with { type: 'json' }
import { hostOf, skipReason } from './job'
import { DEFAULT_HF_BASE, downloadDir } from './download'
import { makePlan, openModel, runImages, type ImageOutcome } from './plan'
import { deletePreset, listPresets, savePreset } from './presets-store'
import {
  addModel,
  getModel,
  hostNote,
  listModels,
  readRuntime,
  removeModel,
  writeRuntime
} from './registry'
import { splitTags } from '../images/queries'

const CatalogueSchema = z.object({
  version: z.number(),
  models: z.array(
    z
      .object({
        repoId: z.string().regex(/^[\w.-]+\/[\w.-]+$/),
        name: z.string().min(1),
        kind: z.enum(MODEL_KINDS),
        sizeBytes: z.number().int().positive(),
        sizeApproximate: z.boolean(),
        licence: z.string().min(1),
        goodAt: z.string().min(1),
        languages: z.array(z.string()),
        include: z.array(z.string().min(1)).min(1),
        notes: z.string().optional()
      })
      .strict()
  )
})

/** The curated catalogue (resources/models-catalogue.json), validated. */
export function catalogue(): CatalogueEntry[] {
  return CatalogueSchema.parse(catalogueJson).models
}

export const captioningHandlers = {
  'models.list': (ctx) => listModels(ctx.db),
  'models.add': (ctx, a) => addModel(ctx, hostOf(ctx), a.dir, a.name ? { name: a.name } : {}),
  'models.remove': async (ctx, a) => {
    const m = getModel(ctx.db, a.id)
    await hostOf(ctx).release(m.kind === 'tagger' ? path.join(m.dir, 'model.onnx') : m.dir)
    return { removed: removeModel(ctx.db, a.id) }
  },
  'models.catalogue': () => catalogue(),
  'models.download': (ctx, a) => {
    const entry = catalogue().find((c) => c.repoId === a.repoId)
    const dir = downloadDir(ctx, a.repoId)
    const base = a.mirror ?? DEFAULT_HF_BASE
    const unfinished = ctx.db
      .prepare(
        `SELECT id FROM jobs WHERE kind = 'download' AND status IN ('interrupted','queued','running','cancelled','failed')
           AND json_extract(params, '$.dir') = ? AND json_extract(params, '$.base') = ?
         ORDER BY id DESC LIMIT 1`
      )
      .get(dir, base) as { id: number } | undefined
    if (unfinished && !a.include) {
      const job = ctx.jobs.resume(unfinished.id)
      return { jobId: job.id, dir, resumed: true }
    }
    const job = ctx.jobs.create('download', null, {
      repoId: a.repoId,
      base,
      revision: a.revision ?? 'main',
      include: a.include ?? entry?.include ?? null,
      dir
    })
    return { jobId: job.id, dir, resumed: false }
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
    const row = ctx.db
      .prepare(
        'SELECT id, path, width, height, raw_caption, tags_text, error FROM images WHERE id = ?'
      )
      .get(a.imageId) as
      | {
          id: number
          path: string
          width: number | null
          height: number | null
          raw_caption: string | null
          tags_text: string
          error: string | null
        }
      | undefined
    if (!row) throw new GlossaError('NOT_FOUND', `image ${a.imageId} does not exist`)
    if (row.error)
      throw new GlossaError('INVALID_ARGS', `${row.path}: this file failed import (${row.error})`)
    if (!fs.existsSync(row.path))
      throw new GlossaError('NOT_FOUND', `${row.path}: the source file is missing`)
    const host = hostOf(ctx)
    const open = await openModel(host, ctx.db, plan)
    let result: ImageOutcome | null = null
    await runImages(
      host,
      plan,
      open,
      [
        {
          id: row.id,
          path: row.path,
          width: row.width,
          height: row.height,
          raw: row.raw_caption,
          tags: splitTags(row.tags_text)
        }
      ],
      undefined,
      (r) => (result = r)
    )
    const r = result as ImageOutcome | null
    if (!r) throw new GlossaError('INTERNAL', 'the model returned no result')
    if (!r.ok) throw new GlossaError('INVALID_ARGS', r.error, { file: row.path })
    const note = hostNote(host)
    return {
      modelId: plan.model.id,
      kind: plan.kind,
      preset: plan.preset ? plan.presetId : null,
      lang: plan.lang,
      prompt: r.prompt,
      tags: r.tags ? r.tags.map((t) => ({ tag: t.tag, score: t.score, kind: t.kind })) : null,
      text: r.text,
      fields: r.fields,
      ep: note.ep,
      fallbackReason: note.fallbackReason,
      wouldWrite:
        skipReason(ctx.db, plan, row.id, { overwriteManual: false, redo: false }) ?? 'write'
    }
  },
  'caption.start': (ctx, a) => {
    const plan = makePlan(ctx.db, a) // validates model and preset before queuing
    const t = a.target
    if (
      t.datasetId !== undefined &&
      !ctx.db.prepare('SELECT 1 FROM datasets WHERE id = ?').get(t.datasetId)
    )
      throw new GlossaError('NOT_FOUND', `dataset ${t.datasetId} does not exist`)
    const datasetId = t.datasetId ?? t.filter?.datasetId ?? null
    const job = ctx.jobs.create('caption', datasetId, {
      ...a,
      preset: plan.preset ? plan.presetId : undefined,
      lang: plan.lang
    })
    return { jobId: job.id }
  }
} satisfies Partial<HandlerMap>
