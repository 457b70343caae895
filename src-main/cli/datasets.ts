import type { Command } from 'commander'
import type { DatasetSummary } from '../shared/api'
import { action, globalOptions, withReadCore, type CliState } from './runtime'
import { formatCount, table } from './format'

export function datasetsTable(list: DatasetSummary[]): string {
  if (!list.length) return 'No datasets yet. Import a folder with "glossa import <dir>".'
  return table(
    [
      'id',
      'name',
      'images',
      'errors',
      'unreviewed',
      'approved',
      'needs-work',
      'rejected',
      'zh',
      'en'
    ],
    list.map((d) => [
      String(d.id),
      d.name,
      formatCount(d.images),
      formatCount(d.errors),
      formatCount(d.byStatus.unreviewed),
      formatCount(d.byStatus.approved),
      formatCount(d.byStatus['needs-work']),
      formatCount(d.byStatus.rejected),
      formatCount(d.captioned.zh),
      formatCount(d.captioned.en)
    ]),
    [0, 2, 3, 4, 5, 6, 7, 8, 9]
  )
}

export function registerDatasets(program: Command, state: CliState): void {
  program
    .command('datasets')
    .description('list the datasets in the library with their counts')
    .action(
      action(state, async (_opts: object, cmd: Command) => {
        const list = await withReadCore(globalOptions(cmd), (core) =>
          core.call('datasets.list', {})
        )
        state.output.print(datasetsTable(list))
        await state.output.result({ datasets: list })
      })
    )
}
