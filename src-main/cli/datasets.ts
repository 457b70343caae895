import type { Command } from 'commander'
import type { Core } from '../core'
import type { DatasetSummary } from '../shared/api'
import { GlossaError, isApiError } from '../shared/errors'
import {
  action,
  datasetIdByName,
  globalOptions,
  withCore,
  withReadCore,
  type CliState
} from './runtime'
import { formatCount, table } from './format'

/** A dataset named on the command line: its name, or its id as shown by `glossa datasets`. */
async function datasetArg(core: Core, arg: string): Promise<number> {
  try {
    return await datasetIdByName(core, arg)
  } catch (err) {
    if (!/^\d+$/.test(arg) || !(isApiError(err) && err.code === 'NOT_FOUND')) throw err
    try {
      return (await core.call('datasets.get', { id: Number(arg) })).id
    } catch {
      throw err
    }
  }
}

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
  const list = action(state, async (_opts: object, cmd: Command) => {
    const all = await withReadCore(globalOptions(cmd), (core) => core.call('datasets.list', {}))
    state.output.print(datasetsTable(all))
    await state.output.result({ datasets: all })
  })
  const datasets = program
    .command('datasets')
    .description('list the datasets in the library with their counts (or rename / delete one)')
    .action(list)
  datasets.command('ls').description('list the datasets (the default)').action(list)

  datasets
    .command('rename')
    .description('rename a dataset')
    .argument('<dataset>', 'its name (or id)')
    .argument('<new-name>', 'the new name')
    .action(
      action(state, async (dataset: string, name: string, _opts: object, cmd: Command) => {
        const r = await withCore(globalOptions(cmd), async (core) => {
          const id = await datasetArg(core, dataset)
          return core.call('datasets.rename', { id, name })
        })
        state.output.print(`Renamed dataset ${r.id} to "${r.name}".`)
        await state.output.result({ dataset: r })
      })
    )

  datasets
    .command('delete')
    .description(
      'remove a dataset and its images from the library (the files are not touched; "glossa undo" brings it back)'
    )
    .argument('<dataset>', 'its name (or id)')
    .action(
      action(state, async (dataset: string, _opts: object, cmd: Command) => {
        const r = await withCore(globalOptions(cmd), async (core) => {
          const id = await datasetArg(core, dataset)
          const out = await core.call('datasets.delete', { id })
          // a big dataset is removed by a job: finish it before the library closes
          if (out.jobId !== null) {
            const job = await core.waitForJob(out.jobId)
            if (job.status !== 'done')
              throw new GlossaError(
                'IO_ERROR',
                `removing dataset "${out.name}" ${job.status}${job.error ? `: ${job.error}` : ''}; run the command again to finish it`
              )
          }
          return out
        })
        state.output.print(
          `Deleted dataset "${r.name}" (${formatCount(r.images)} image${r.images === 1 ? '' : 's'}) from the library; no file was touched. Undo with "glossa undo".`
        )
        await state.output.result({ deleted: r })
      })
    )
}
