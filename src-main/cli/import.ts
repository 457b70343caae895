import path from 'node:path'
import { InvalidArgumentError, type Command } from 'commander'
import type { Core } from '../core'
import {
  CAPTION_KIND_MODES,
  IMPORT_FORMATS,
  type CaptionKindMode,
  type ImportFormat,
  type ImportFormatOptions,
  type JobInfo,
  type JobProgress,
  type Page
} from '../shared/api'
import { GlossaError } from '../shared/errors'
import { action, EXIT, globalOptions, withCore, type CliState, type Output } from './runtime'
import { formatCount } from './format'
import { ProgressView } from './progress'

export interface ImportCounts {
  total: number
  added: number
  updated: number
  unchanged: number
  failed: number
}

export interface FailedFile {
  file: string
  reason: string
}

/** Every failed item of the job (all of them, paged). */
async function failedFiles(core: Core, jobId: number): Promise<FailedFile[]> {
  const out: FailedFile[] = []
  let afterSeq = 0
  for (;;) {
    const page = await core.call('jobs.errors', { id: jobId, afterSeq, limit: 1000 })
    for (const it of page.items) out.push({ file: it.key, reason: it.error })
    if (page.nextSeq === null) return out
    afterSeq = page.nextSeq
  }
}

/** Good rows of the dataset first added since the job started (the newest rows, by paging). */
async function countAdded(core: Core, datasetId: number, since: number): Promise<number> {
  let n = 0
  let cursor: string | null = null
  for (;;) {
    const page: Page = await core.call('images.page', {
      filter: { datasetId, hasError: false },
      sort: { key: 'added', dir: 'desc' },
      cursor,
      limit: 1000,
      withTotal: false
    })
    for (const r of page.rows) {
      if (r.addedAt < since) return n
      n++
    }
    if (!page.nextCursor || !page.rows.length) return n
    cursor = page.nextCursor
  }
}

export async function importCounts(core: Core, job: JobInfo): Promise<ImportCounts> {
  const full = await core.call('jobs.get', { id: job.id })
  const items = full.items ?? { pending: 0, done: full.done, skipped: 0, failed: full.failed }
  const added =
    job.datasetId !== null && full.startedAt !== null
      ? Math.min(items.done, await countAdded(core, job.datasetId, full.startedAt))
      : 0
  return {
    total: full.total,
    added,
    updated: Math.max(0, items.done - added),
    unchanged: items.skipped,
    failed: items.failed
  }
}

function summaryText(
  dir: string,
  dataset: string,
  job: JobInfo,
  resumed: boolean,
  c: ImportCounts,
  failed: FailedFile[]
): string {
  const lines: string[] = []
  const how =
    job.status === 'done'
      ? 'Imported'
      : job.status === 'cancelled'
        ? 'Cancelled the import of'
        : `Import ${job.status}:`
  lines.push(
    `${how} ${dir} into dataset "${dataset}" (job ${job.id}${resumed ? ', resumed after an interruption' : ''})`
  )
  lines.push(
    `  added ${formatCount(c.added)} · updated ${formatCount(c.updated)} · unchanged ${formatCount(c.unchanged)} · failed ${formatCount(c.failed)} · files ${formatCount(c.total)}`
  )
  if (job.status === 'cancelled') {
    const left = Math.max(0, c.total - c.added - c.updated - c.unchanged - c.failed)
    lines.push(`  ${formatCount(left)} files not imported; run the same command again to continue.`)
  }
  if (failed.length) {
    lines.push(`Failed files (${formatCount(failed.length)}):`)
    for (const f of failed) {
      const rel = path.relative(dir, f.file)
      const shown = rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : f.file
      lines.push(`  ${shown}: ${f.reason}`)
    }
  }
  return lines.join('\n')
}

/** Ctrl-C cancels the job (finished files are kept); a second Ctrl-C exits at once. */
function onInterrupt(out: Output, cancel: () => void): () => void {
  let count = 0
  const handler = (signal: NodeJS.Signals) => {
    count++
    if (count > 1) {
      out.note('\nglossa: interrupted again, exiting now')
      process.exit(signal === 'SIGINT' ? EXIT.interrupted : 143)
    }
    out.note('\nglossa: cancelling the import; files already imported are kept…')
    cancel()
  }
  process.on('SIGINT', handler)
  process.on('SIGTERM', handler)
  return () => {
    process.off('SIGINT', handler)
    process.off('SIGTERM', handler)
  }
}

interface ImportOptions {
  dataset?: string
  format?: ImportFormat
  captionColumn?: string
  tagsColumn?: string
  captionKind?: CaptionKindMode
}

function parseCaptionKind(value: string): CaptionKindMode {
  const v = value.trim().toLowerCase()
  if (!(CAPTION_KIND_MODES as readonly string[]).includes(v))
    throw new InvalidArgumentError(`expected one of ${CAPTION_KIND_MODES.join(', ')}`)
  return v as CaptionKindMode
}

function parseImportFormat(value: string): ImportFormat {
  const v = value.trim().toLowerCase()
  if (!(IMPORT_FORMATS as readonly string[]).includes(v))
    throw new InvalidArgumentError(`expected one of ${IMPORT_FORMATS.join(', ')}`)
  return v as ImportFormat
}

function formatArgs(o: ImportOptions): {
  format?: ImportFormat
  formatOptions?: ImportFormatOptions
} {
  const formatOptions: ImportFormatOptions = {
    ...(o.captionColumn ? { captionColumn: o.captionColumn } : {}),
    ...(o.tagsColumn !== undefined ? { tagsColumn: o.tagsColumn } : {}),
    ...(o.captionKind ? { captionKind: o.captionKind } : {})
  }
  return {
    ...(o.format ? { format: o.format } : {}),
    ...(Object.keys(formatOptions).length ? { formatOptions } : {})
  }
}

export function registerImport(program: Command, state: CliState): void {
  program
    .command('import')
    .description(
      'import a folder of images and caption files (recursive; resumes an interrupted import)'
    )
    .argument('<dir>', 'the folder to import')
    .option(
      '--dataset <name>',
      'dataset to import into (created if missing; default: the folder name)'
    )
    .option(
      '--format <format>',
      `caption source: ${IMPORT_FORMATS.join(', ')} (default auto: detected)`,
      parseImportFormat
    )
    .option('--caption-column <name>', 'hf: the metadata column holding the caption (default text)')
    .option('--tags-column <name>', 'hf: the metadata column holding comma-separated tags')
    .option(
      '--caption-kind <mode>',
      `tag-list captions ("1girl, solo, long hair"): ${CAPTION_KIND_MODES.join(', ')} (default auto: a tag list becomes the image's tags, a sentence beside it stays text; the raw text is kept)`,
      parseCaptionKind
    )
    .action(
      action(state, async (dir: string, opts: ImportOptions, cmd: Command) => {
        const out = state.output
        const abs = path.resolve(dir)
        return withCore(
          globalOptions(cmd),
          async (core) => {
            const started = await core.call('import.start', {
              dir: abs,
              ...(opts.dataset ? { datasetName: opts.dataset } : {}),
              ...formatArgs(opts)
            })
            const { jobId, datasetId, resumed } = started
            const dataset = (await core.call('datasets.get', { id: datasetId })).name
            out.note(
              `${resumed ? 'Resuming the interrupted import of' : 'Importing'} ${abs} into dataset "${dataset}" (${core.libraryFile})`
            )
            const view = new ProgressView(process.stderr)
            const off = core.on('job.progress', (p: JobProgress) => {
              if (p.jobId === jobId) view.update(p)
            })
            let cancelled = false
            const offSignals = onInterrupt(out, () => {
              cancelled = true
              core.call('jobs.cancel', { id: jobId }).catch(() => undefined)
            })
            let job: JobInfo
            try {
              job = await core.waitForJob(jobId)
            } finally {
              off()
              offSignals()
              view.stop()
            }
            if (job.status === 'failed') {
              throw new GlossaError(
                'IO_ERROR',
                `${abs}: the import failed: ${job.error ?? 'unknown error'}`,
                {
                  dir: abs,
                  jobId
                }
              )
            }
            const counts = await importCounts(core, job)
            const failed = await failedFiles(core, jobId)
            out.note(summaryText(abs, dataset, job, resumed, counts, failed))
            await out.result({
              ok: job.status === 'done',
              dir: abs,
              library: core.libraryFile,
              jobId,
              datasetId,
              dataset,
              resumed,
              status: job.status,
              counts,
              failed
            })
            if (job.status === 'done') return EXIT.ok
            return cancelled ? EXIT.interrupted : EXIT.error
          },
          { create: true }
        )
      })
    )
}
