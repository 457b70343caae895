import type { Command } from 'commander'
import type { LibraryStats } from '../shared/api'
import { action, globalOptions, optionalDatasetId, withReadCore, type CliState } from './runtime'
import { formatBytes, formatCount, table } from './format'

function statsText(s: LibraryStats, scope: string): string {
  const rows: [string, string][] = [
    ['datasets', formatCount(s.datasets)],
    ['images', formatCount(s.images)],
    ['import errors', formatCount(s.errors)],
    ['unreviewed', formatCount(s.byStatus.unreviewed)],
    ['approved', formatCount(s.byStatus.approved)],
    ['needs-work', formatCount(s.byStatus['needs-work'])],
    ['rejected', formatCount(s.byStatus.rejected)],
    ['with zh caption', formatCount(s.captioned.zh)],
    ['with en caption', formatCount(s.captioned.en)],
    ['tags', formatCount(s.tags)],
    ['source bytes', formatBytes(s.bytes)]
  ]
  return `${scope}\n${table(['', 'count'], rows, [1])}`
}

export function registerStats(program: Command, state: CliState): void {
  program
    .command('stats')
    .description('counts by review status, captions per language, errors and sizes')
    .option('--dataset <name>', 'only this dataset')
    .action(
      action(state, async (opts: { dataset?: string }, cmd: Command) => {
        const { stats, file } = await withReadCore(globalOptions(cmd), async (core) => {
          const datasetId = await optionalDatasetId(core, opts.dataset)
          const stats = await core.call('library.stats', datasetId ? { datasetId } : {})
          return { stats, file: core.libraryFile }
        })
        state.output.print(
          statsText(
            stats,
            opts.dataset ? `Dataset "${opts.dataset}" in ${file}` : `Library ${file}`
          )
        )
        await state.output.result({ library: file, dataset: opts.dataset ?? null, ...stats })
      })
    )
}
