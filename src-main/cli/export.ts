/**
 * `glossa export --dataset NAME --format kohya|sdscripts|hf|hunyuan|onetrainer --out DIR
 *  [--status approved|any] [--profile NAME] [--language zh|en|both] [--trigger WORD]…
 *  [--image-mode copy|link|reencode] [--max-side N] [--dry-run] [--json]`.
 * A dry run prints the plan (counts per concept, size, renames, skips, warnings and the
 * destination's refusal, if any) and writes nothing. A real run refuses a bad destination or
 * unsafe names before anything is written (exit 1 with the reason), shows a progress bar, then
 * prints the validation report; exit 1 when the validation finds errors.
 */
import path from 'node:path'
import { InvalidArgumentError, type Command } from 'commander'
import {
  EXPORT_FORMATS,
  type ExportFormatName,
  type ExportPlanResult,
  type ExportProfileArg,
  type ExportReport,
  type JobInfo,
  type JobProgress
} from '../shared/api'
import { GlossaError } from '../shared/errors'
import type { Core } from '../core'
import {
  action,
  datasetIdByName,
  EXIT,
  globalOptions,
  withCore,
  withReadCore,
  type CliState
} from './runtime'
import { formatBytes, formatCount, table } from './format'
import { parsePositiveInt } from './options'
import { ProgressView } from './progress'

function oneOf<T extends string>(list: readonly T[]): (v: string) => T {
  return (value) => {
    const v = value.trim().toLowerCase()
    if (!(list as readonly string[]).includes(v))
      throw new InvalidArgumentError(`expected one of ${list.join(', ')}`)
    return v as T
  }
}

const collect = (value: string, previous: string[] = []): string[] => [
  ...previous,
  ...value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
]

export function renderPlan(p: ExportPlanResult): string {
  const lines = [
    `${formatCount(p.images)} of ${formatCount(p.candidates)} images, ${formatBytes(p.bytes)} (${p.format})`,
    table(
      ['folder', 'concept', 'class', 'repeats', 'images', 'size'],
      p.subsets.map((s) => [
        s.folder + (s.isReg ? ' (reg)' : ''),
        s.concept,
        s.classTokens,
        String(s.repeats),
        formatCount(s.images),
        formatBytes(s.bytes)
      ]),
      [3, 4, 5]
    )
  ]
  for (const r of p.renamed) lines.push(`renamed: ${r.source} → ${r.exported} (${r.reason})`)
  for (const s of p.skipped) lines.push(`skipped: ${s.source}: ${s.reason}`)
  for (const w of p.warnings) lines.push(`warning: ${w}`)
  return lines.join('\n')
}

export function renderReport(r: ExportReport): string {
  const v = r.validation
  const lines = [
    `Exported ${formatCount(r.exported)} images (${formatCount(r.files)} files, ${formatBytes(r.bytes)}) to ${r.destination}`,
    `Validation (read back as ${v.format} would): ${v.ok ? 'OK' : 'FAILED'} — ${formatCount(v.images)} images`,
    table(
      ['subset', 'dir', 'repeats', 'class', 'images', 'captions'],
      v.subsets.map((s) => [
        s.name + (s.isReg ? ' (reg)' : ''),
        s.imageDir,
        String(s.repeats),
        s.classTokens,
        formatCount(s.images),
        formatCount(s.captions)
      ]),
      [2, 4, 5]
    )
  ]
  for (const i of v.issues) lines.push(`${i.level}: ${i.message}${i.path ? ` (${i.path})` : ''}`)
  if (r.linkFallbacks)
    lines.push(`note: ${formatCount(r.linkFallbacks)} hard links fell back to copies`)
  for (const s of r.skipped) lines.push(`skipped: ${s.source}: ${s.reason}`)
  for (const w of r.warnings) lines.push(`warning: ${w}`)
  return lines.join('\n')
}

interface ExportOptions {
  dataset: string
  format?: ExportFormatName
  out: string
  status?: 'approved' | 'any'
  profile?: string
  language?: 'zh' | 'en' | 'both'
  trigger?: string[]
  imageMode?: 'copy' | 'link' | 'reencode'
  maxSide?: number
  dryRun?: boolean
}

async function profileFor(core: Core, o: ExportOptions): Promise<ExportProfileArg> {
  let base: ExportProfileArg | undefined
  if (o.profile) {
    const rec = (await core.call('export.profiles.list', {})).find(
      (p) => p.name.toLowerCase() === o.profile!.toLowerCase()
    )
    if (!rec) throw new GlossaError('NOT_FOUND', `no export profile named "${o.profile}"`)
    base = rec.profile
  }
  const format = o.format ?? base?.format
  if (!format) throw new GlossaError('INVALID_ARGS', `give --format (${EXPORT_FORMATS.join(', ')})`)
  const image = {
    ...base?.image,
    ...(o.imageMode ? { mode: o.imageMode } : {}),
    ...(o.maxSide ? { maxSide: o.maxSide } : {})
  }
  const caption = {
    ...base?.caption,
    ...(o.language ? { language: o.language } : {}),
    ...(o.trigger?.length ? { triggerWords: o.trigger } : {})
  }
  return { ...base, format, caption, image }
}

/** Ctrl-C cancels the export (the core removes its staging folder); a second one exits. */
function onInterrupt(note: (s: string) => void, cancel: () => void): () => void {
  let count = 0
  const handler = (): void => {
    if (++count > 1) process.exit(EXIT.interrupted)
    note('\nglossa: cancelling the export; nothing is left at the destination…')
    cancel()
  }
  process.on('SIGINT', handler)
  process.on('SIGTERM', handler)
  return () => {
    process.off('SIGINT', handler)
    process.off('SIGTERM', handler)
  }
}

export function registerExport(program: Command, state: CliState): void {
  program
    .command('export')
    .description('export a dataset for a trainer (staged, validated, never overwrites anything)')
    .requiredOption('--dataset <name>', 'the dataset to export')
    .option('--format <format>', EXPORT_FORMATS.join(' | '), oneOf(EXPORT_FORMATS))
    .requiredOption('--out <dir>', 'destination folder (new or empty, outside every source folder)')
    .option('--status <status>', 'approved (default) or any', oneOf(['approved', 'any'] as const))
    .option('--profile <name>', 'start from this saved export profile')
    .option('--language <lang>', 'caption language: zh, en or both', oneOf(['zh', 'en', 'both']))
    .option('--trigger <words>', 'trigger word(s) first in every caption (repeatable)', collect)
    .option('--image-mode <mode>', 'copy, link or reencode', oneOf(['copy', 'link', 'reencode']))
    .option('--max-side <px>', 'resize images larger than this (re-encoded)', parsePositiveInt)
    .option('--dry-run', 'print the plan and the destination checks; write nothing')
    .action(
      action(state, async (opts: ExportOptions, cmd: Command) => {
        const out = state.output
        const destination = path.resolve(opts.out)
        return (opts.dryRun ? withReadCore : withCore)(globalOptions(cmd), async (core) => {
          const datasetId = await datasetIdByName(core, opts.dataset)
          const profile = await profileFor(core, opts)
          const base = { datasetId, profile, ...(opts.status ? { status: opts.status } : {}) }
          if (opts.dryRun) {
            const plan = await core.call('export.plan', { ...base, destination })
            out.print(
              `Dry run: export of "${opts.dataset}" to ${destination}. Nothing was written.`
            )
            out.print(renderPlan(plan))
            if (plan.destinationProblem) out.note(`glossa: refused: ${plan.destinationProblem}`)
            await out.result({ ok: !plan.destinationProblem, dryRun: true, destination, plan })
            return plan.destinationProblem ? EXIT.error : EXIT.ok
          }
          // refusals (destination, names, nothing to export) throw here: exit 1, nothing written
          const { jobId, images } = await core.call('export.start', { ...base, destination })
          out.note(`Exporting ${formatCount(images)} images of "${opts.dataset}" to ${destination}`)
          const view = new ProgressView(process.stderr)
          const off = core.on('job.progress', (p: JobProgress) => {
            if (p.jobId === jobId) view.update(p)
          })
          let cancelled = false
          const offSignals = onInterrupt(
            (s) => out.note(s),
            () => {
              cancelled = true
              core.call('jobs.cancel', { id: jobId }).catch(() => undefined)
            }
          )
          let job: JobInfo
          try {
            job = await core.waitForJob(jobId)
          } finally {
            off()
            offSignals()
            view.stop()
          }
          const r = await core.call('export.report', { jobId })
          if (job.status !== 'done' || !r.report) {
            const why = cancelled ? 'cancelled' : (r.error ?? job.error ?? job.status)
            out.note(
              `glossa: the export did not finish (${why}); nothing was left at ${destination}`
            )
            await out.result({ ok: false, jobId, status: job.status, error: why, destination })
            return cancelled ? EXIT.interrupted : EXIT.error
          }
          out.print(renderReport(r.report))
          await out.result({ ok: r.report.validation.ok, jobId, report: r.report })
          return r.report.validation.ok ? EXIT.ok : EXIT.error
        })
      })
    )
}
