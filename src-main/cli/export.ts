/**
 * `glossa export --dataset NAME --format kohya|sdscripts|hf|hunyuan|onetrainer --out DIR
 *  [--status approved|any] [--profile NAME] [--language auto|zh|en|both]
 *  [--lines join|alternatives] [--absolute-paths] [--trigger WORD]…
 *  [--image-mode copy|link|reencode] [--max-side N] [--dry-run] [--json]`.
 * A dry run prints the plan (where each caption comes from, counts per concept, size, renames,
 * skips, warnings, how to run the trainer and the destination's refusal, if any) and writes
 * nothing. A real run refuses a bad destination or unsafe names before anything is written
 * (exit 1 with the reason), shows a progress bar, then prints the validation report — the
 * export read back as the trainer reads it and compared image by image with the approved
 * captions; exit 1 when the validation finds errors. `--json` carries the per-source counts
 * (plan.captions.sources on a dry run, report.captions.sources after a run).
 */
import path from 'node:path'
import { InvalidArgumentError, type Command } from 'commander'
import {
  EXPORT_CAPTION_SOURCES,
  EXPORT_FORMATS,
  EXPORT_LANGUAGES,
  EXPORT_LINE_MODES,
  type ExportCaptionPlan,
  type ExportFormatName,
  type ExportPortability,
  type ExportPlanResult,
  type ExportProfileArg,
  type ExportReport,
  type JobInfo,
  type JobProgress
} from '../shared/api'
import { GlossaError } from '../shared/errors'
import type { Core } from '../core'
import { bothMeaning } from '../core/export/summary'
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

const SOURCE_LABEL: Record<(typeof EXPORT_CAPTION_SOURCES)[number], string> = {
  zh: 'zh',
  en: 'en',
  both: 'zh + en',
  'fallback-zh': 'fallback to zh',
  'fallback-en': 'fallback to en',
  tags: 'tags only (no caption text)',
  class: 'class tokens (no caption)'
}

/** Where the captions come from, up front: the language, the per-source counts, the lines. */
export function renderCaptions(c: ExportCaptionPlan, port: ExportPortability): string[] {
  const lang =
    c.primary === 'both'
      ? 'both languages'
      : `${c.primary} first, the other language where an image has none`
  const counts = EXPORT_CAPTION_SOURCES.filter((s) => c.sources[s] > 0)
    .map((s) => `${SOURCE_LABEL[s]} ${formatCount(c.sources[s])}`)
    .join(' · ')
  return [
    `Captions: ${lang}${c.language === 'auto' ? ' (the format default)' : ''} — ${counts || 'none'}`,
    `Multi-line captions (${formatCount(c.multiLine)}): ${c.lines === 'alternatives' ? 'each line an alternative the trainer picks per step' : 'joined into one'}${c.wildcard ? ' (enable_wildcard, braces escaped)' : ''}`,
    `Paths: ${port.paths}; ${port.howToRun}`
  ]
}

export function renderPlan(p: ExportPlanResult): string {
  const lines = [
    `${formatCount(p.images)} of ${formatCount(p.candidates)} images, ${formatBytes(p.bytes)} (${p.format})`,
    ...renderCaptions(p.captions, p.portability),
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
    `Validation (read back as ${v.format} would): ${v.ok ? 'OK' : 'FAILED'} — ${formatCount(v.images)} images, ${formatCount(v.fidelity.matched)} of ${formatCount(v.fidelity.checked)} train on their approved caption`,
    ...renderCaptions(r.captions, r.portability),
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
  language?: (typeof EXPORT_LANGUAGES)[number]
  lines?: (typeof EXPORT_LINE_MODES)[number]
  absolutePaths?: boolean
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
    ...(o.lines ? { lines: o.lines } : {}),
    ...(o.trigger?.length ? { triggerWords: o.trigger } : {})
  }
  return {
    ...base,
    format,
    caption,
    image,
    ...(o.absolutePaths ? { paths: 'absolute' as const } : {})
  }
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
    .option(
      '--language <lang>',
      'caption language: auto (default: zh first for hunyuan, en first for the others), zh, en or both; zh and en fall back per image to the other language',
      oneOf(EXPORT_LANGUAGES)
    )
    .option(
      '--lines <mode>',
      'multi-line captions: join (default) or alternatives (one line per step; kohya, sdscripts, onetrainer)',
      oneOf(EXPORT_LINE_MODES)
    )
    .option(
      '--absolute-paths',
      'write absolute paths (default: relative to the export, which can then be moved)'
    )
    .option('--trigger <words>', 'trigger word(s) first in every caption (repeatable)', collect)
    .option('--image-mode <mode>', 'copy, link or reencode', oneOf(['copy', 'link', 'reencode']))
    .option('--max-side <px>', 'resize images larger than this (re-encoded)', parsePositiveInt)
    .option('--dry-run', 'print the plan and the destination checks; write nothing')
    .addHelpText(
      'after',
      `\nWhat --language both means per format:\n${EXPORT_FORMATS.map((f) => `  ${f.padEnd(11)} ${bothMeaning(f)}`).join('\n')}\n\nRelative paths: sd-scripts, csv2arrow and OneTrainer resolve them against the working\ndirectory, so run the trainer from inside the export folder (its README.txt says how).`
    )
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
