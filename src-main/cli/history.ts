import type { Command } from 'commander'
import type { HistoryBatch } from '../shared/api'
import { action, globalOptions, withCore, type CliState } from './runtime'
import { formatTime } from './format'

function describe(b: HistoryBatch): string {
  const who = b.actor ? ` by ${b.actor}` : ''
  return `"${b.label}" (${b.items} item${b.items === 1 ? '' : 's'}${who}, ${formatTime(b.createdAt)})`
}

export function registerHistory(program: Command, state: CliState): void {
  for (const verb of ['undo', 'redo'] as const) {
    program
      .command(verb)
      .description(verb === 'undo' ? 'undo the last edit batch' : 'redo the last undone edit batch')
      .action(
        action(state, async (_opts: object, cmd: Command) => {
          const batch = await withCore(globalOptions(cmd), async (core) => {
            const b = await core.call(verb === 'undo' ? 'history.undo' : 'history.redo', {})
            // a large batch is undone/redone by a job: finish it before the library closes
            if (b?.jobId !== undefined) {
              const job = await core.waitForJob(b.jobId)
              if (job.note) return { ...b, note: job.note }
            }
            return b
          })
          state.output.print(
            batch
              ? `${verb === 'undo' ? 'Undid' : 'Redid'} ${describe(batch)}`
              : `Nothing to ${verb}.`
          )
          // edits made after the batch were left as they are: say so
          if (batch?.note) state.output.note(`glossa: ${batch.note}`)
          await state.output.result({ [verb === 'undo' ? 'undone' : 'redone']: batch })
        })
      )
  }
}
