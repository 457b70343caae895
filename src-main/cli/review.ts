import type { Command } from 'commander'
import type { ReviewStatus } from '../shared/api'
import { action, globalOptions, withCore, type CliState } from './runtime'
import { buildFilter, pageImages } from './ls'
import { formatCount } from './format'
import { parseMissing, parseStatus, parseStatusList } from './options'

/** images.setStatus takes at most this many ids per call (one undoable batch each). */
const MAX_IDS_PER_BATCH = 100_000

interface ReviewOptions {
  dataset: string
  status: ReviewStatus
  search?: string
  filterStatus?: ReviewStatus[]
  concept?: string
  missing?: 'zh' | 'en' | 'any'
  errors?: boolean
  hasText?: boolean
}

export function registerReview(program: Command, state: CliState): void {
  program
    .command('review')
    .description('set the review status of every image matching a filter, as one undoable batch')
    .requiredOption('--dataset <name>', 'the dataset')
    .requiredOption(
      '--status <status>',
      'the new status: approved, rejected, needs-work or unreviewed',
      parseStatus
    )
    .option('--search <text>', 'only images whose captions, raw text or tags contain this')
    .option('--filter-status <status>', 'only images currently in these statuses', parseStatusList)
    .option('--concept <name>', 'only this concept (kohya folder)')
    .option('--missing <lang>', 'only images lacking a caption: zh, en or any', parseMissing)
    .option('--errors', 'select files that failed import (they are left out otherwise)')
    .option(
      '--has-text',
      'only images with in-image text or a watermark (caption --model ocr finds them)'
    )
    .action(
      action(state, async (opts: ReviewOptions, cmd: Command) => {
        const out = state.output
        const result = await withCore(globalOptions(cmd), async (core) => {
          const filter = await buildFilter(core, {
            dataset: opts.dataset,
            status: opts.filterStatus,
            search: opts.search,
            concept: opts.concept,
            missing: opts.missing,
            ...(opts.hasText ? { hasText: true } : {})
          })
          filter.hasError = Boolean(opts.errors)
          const ids: number[] = []
          let matched = 0
          for await (const row of pageImages(core, filter, { key: 'name', dir: 'asc' })) {
            matched++
            if (row.status !== opts.status) ids.push(row.id)
          }
          let changed = 0
          const batchIds: number[] = []
          for (let i = 0; i < ids.length; i += MAX_IDS_PER_BATCH) {
            const r = await core.call('images.setStatus', {
              ids: ids.slice(i, i + MAX_IDS_PER_BATCH),
              status: opts.status
            })
            changed += r.changed
            if (r.batchId !== null) batchIds.push(r.batchId)
          }
          return { changed, batchIds, matched }
        })
        out.print(
          result.changed
            ? `Set ${formatCount(result.changed)} image${result.changed === 1 ? '' : 's'} in "${opts.dataset}" to ${opts.status} (undo with "glossa undo").`
            : `No image in "${opts.dataset}" needed changing to ${opts.status}.`
        )
        await out.result({
          dataset: opts.dataset,
          status: opts.status,
          matched: result.matched,
          changed: result.changed,
          batchId: result.batchIds[0] ?? null,
          batchIds: result.batchIds
        })
      })
    )
}
