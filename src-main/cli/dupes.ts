/**
 * `glossa dupes --dataset NAME [--threshold N] [--limit N] [--json]`: lists groups of duplicate
 * images in a dataset — exact copies (same sha256) and near copies (perceptual hashes within N
 * bits, default 6). Images without a perceptual hash are hashed first by the background 'phash'
 * job, with a progress bar on stderr (Ctrl-C cancels it; hashes already computed are kept).
 * Nothing is changed: keeping one image of a group is done in the studio or with `glossa review`.
 */
import { InvalidArgumentError, type Command } from 'commander'
import {
  DUPES_DEFAULT_THRESHOLD,
  DUPES_MAX_THRESHOLD,
  type DupeGroup,
  type DupesResult,
  type JobProgress
} from '../shared/api'
import { action, datasetIdByName, EXIT, globalOptions, withCore, type CliState } from './runtime'
import { formatBytes, formatCount, table, truncate } from './format'
import { parsePositiveInt } from './options'
import { ProgressView } from './progress'

interface DupesOptions {
  dataset: string
  threshold: number
  limit?: number
}

function parseThreshold(value: string): number {
  const v = value.trim()
  const n = Number(v)
  if (!/^\d+$/.test(v) || n > DUPES_MAX_THRESHOLD)
    throw new InvalidArgumentError(
      `expected a whole number of bits from 0 to ${DUPES_MAX_THRESHOLD}`
    )
  return n
}

export function groupsText(r: DupesResult, dataset: string): string {
  if (!r.groups.length)
    return `No duplicates in "${dataset}" at threshold ${r.threshold} (${formatCount(r.hashed)} images compared).`
  const lines = [
    `${formatCount(r.totalGroups)} group${r.totalGroups === 1 ? '' : 's'} of duplicates in "${dataset}" (threshold ${r.threshold} bits, ${formatCount(r.hashed)} images compared)`
  ]
  r.groups.forEach((g: DupeGroup, n) => {
    lines.push('')
    lines.push(
      `#${n + 1} ${g.kind === 'exact' ? 'exact copies' : `near copies (up to ${g.maxDistance} bits apart)`}`
    )
    lines.push(
      table(
        ['', 'id', 'file', 'size', 'bytes', 'bits', 'status', 'caption'],
        g.images.map((im) => [
          im.id === g.suggestedKeep ? 'keep' : '',
          String(im.id),
          truncate(im.relPath, 48),
          im.width && im.height ? `${im.width}×${im.height}` : '?',
          formatBytes(im.bytes),
          String(im.distance),
          im.status,
          truncate(im.zh || im.en, 40)
        ]),
        [1, 4, 5]
      )
    )
  })
  if (r.totalGroups > r.groups.length)
    lines.push('', `… and ${formatCount(r.totalGroups - r.groups.length)} more (raise --limit)`)
  return lines.join('\n')
}

export function registerDupes(program: Command, state: CliState): void {
  program
    .command('dupes')
    .description('list groups of exact and near-duplicate images in a dataset')
    .requiredOption('--dataset <name>', 'the dataset')
    .option(
      '--threshold <bits>',
      `near duplicates differ in at most this many of 64 hash bits (0–${DUPES_MAX_THRESHOLD})`,
      parseThreshold,
      DUPES_DEFAULT_THRESHOLD
    )
    .option('--limit <n>', 'most groups listed, biggest first (default 1000)', parsePositiveInt)
    .action(
      action(state, async (opts: DupesOptions, cmd: Command) => {
        const out = state.output
        return withCore(globalOptions(cmd), async (core) => {
          const datasetId = await datasetIdByName(core, opts.dataset)
          const hash = await core.call('dupes.hash', { datasetId })
          if (hash.jobId !== null) {
            const jobId = hash.jobId
            out.note(`Hashing ${formatCount(hash.missing)} images of "${opts.dataset}"…`)
            const view = new ProgressView(process.stderr)
            const off = core.on('job.progress', (p: JobProgress) => {
              if (p.jobId === jobId) view.update(p)
            })
            let cancelled = false
            const onSignal = (): void => {
              if (cancelled) process.exit(EXIT.interrupted)
              cancelled = true
              out.note('\nglossa: cancelling; hashes computed so far are kept')
              core.call('jobs.cancel', { id: jobId }).catch(() => undefined)
            }
            process.on('SIGINT', onSignal)
            process.on('SIGTERM', onSignal)
            try {
              const job = await core.waitForJob(jobId)
              if (job.status !== 'done') {
                const why = cancelled ? 'cancelled' : (job.error ?? job.status)
                out.note(`glossa: hashing did not finish (${why})`)
                await out.result({ ok: false, jobId, status: job.status, error: why })
                return cancelled ? EXIT.interrupted : EXIT.error
              }
            } finally {
              off()
              view.stop()
              process.off('SIGINT', onSignal)
              process.off('SIGTERM', onSignal)
            }
          }
          const r = await core.call('dupes.find', {
            datasetId,
            threshold: opts.threshold,
            ...(opts.limit ? { limit: Math.min(opts.limit, 10_000) } : {})
          })
          out.print(groupsText(r, opts.dataset))
          if (r.unhashed)
            out.note(
              `glossa: ${formatCount(r.unhashed)} image${r.unhashed === 1 ? '' : 's'} could not be hashed (the file could not be read); only exact copies of them are listed`
            )
          await out.result({ ok: true, dataset: opts.dataset, ...r })
          return EXIT.ok
        })
      })
    )
}
