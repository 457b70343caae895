import fs from 'node:fs'
import path from 'node:path'
import type { HandlerMap } from '../context'
import { GlossaError } from '../../shared/errors'
import { expandHome, listFolder } from './browse'
import { resolveImportDataset } from './dataset'
import { detectFormat, metadataFiles } from './formats'
import { previewImport } from './formats/preview'
import { unfinishedImport } from './queries'
import { IMAGE_EXTENSIONS, scanFolder } from './scan'

/** Whether the walk finds at least one image file (it stops at the first). */
async function hasImage(root: string): Promise<boolean> {
  for await (const e of scanFolder(root)) if (!e.error) return true
  return false
}

async function resolveFolder(dir: string): Promise<string> {
  const abs = path.resolve(expandHome(dir))
  let st: fs.Stats
  try {
    st = await fs.promises.stat(abs)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR')
      throw new GlossaError('NOT_FOUND', `${abs}: folder not found`, { path: abs })
    throw new GlossaError('IO_ERROR', `${abs}: ${(err as Error).message}`, { path: abs })
  }
  if (!st.isDirectory())
    throw new GlossaError(
      'INVALID_ARGS',
      `${abs}: not a folder (import takes a folder of images)`,
      {
        path: abs
      }
    )
  return fs.promises.realpath(abs)
}

export const importHandlers = {
  'import.start': async (ctx, a) => {
    const root = await resolveFolder(a.dir)
    // 'auto' is resolved now, so a resumed job reads the same format; a metadata format whose
    // file is missing is refused here, before any job or dataset exists.
    const format = a.format === 'auto' ? (await detectFormat(root)).candidates[0]!.format : a.format
    if (format === 'sdscripts' || format === 'hf' || format === 'hunyuan')
      await metadataFiles(root, format, a.formatOptions)
    // an empty folder creates nothing (no dataset, no job)
    if (!(await hasImage(root)))
      throw new GlossaError(
        'INVALID_ARGS',
        `${root}: no images in this folder or its sub-folders (Glossa imports ${[...IMAGE_EXTENSIONS].join(' ')}); nothing was imported`,
        { path: root }
      )
    const datasetId = resolveImportDataset(ctx.db, {
      datasetId: a.datasetId,
      name: a.datasetName ?? (path.basename(root) || 'root')
    })
    // An import of the same folder into the same dataset that did not finish is picked up
    // where it stopped rather than started over.
    const unfinished = unfinishedImport(ctx.db, datasetId, root)
    if (unfinished !== null) {
      const job = ctx.jobs.resume(unfinished)
      return { jobId: job.id, datasetId, resumed: true }
    }
    const job = ctx.jobs.create('import', datasetId, {
      root,
      datasetId,
      format,
      formatOptions: a.formatOptions
    })
    return { jobId: job.id, datasetId, resumed: false }
  },
  'fs.list': (_ctx, a) => listFolder(a.path, { hidden: a.hidden }),
  'import.detect': async (_ctx, a) => {
    const abs = path.resolve(expandHome(a.dir))
    const st = await fs.promises.stat(abs).catch(() => null)
    if (!st) throw new GlossaError('NOT_FOUND', `${abs}: folder not found`, { path: abs })
    if (!st.isDirectory())
      throw new GlossaError('INVALID_ARGS', `${abs}: not a folder`, { path: abs })
    return previewImport(
      await fs.promises.realpath(abs),
      a.format,
      a.formatOptions,
      a.limit,
      a.totals
    )
  }
} satisfies Partial<HandlerMap>
