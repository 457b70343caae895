/**
 * `glossa glossary import <file> | export <file> | apply --dataset NAME [--dry-run]`.
 * An import reports each bad row (file, row, column, reason) on stderr, keeps the good rows and
 * exits 1 when any row was refused. A dry run prints each image's word diff (coloured on a
 * terminal, `[-old-]{+new+}` otherwise) and writes nothing; an apply lands as one undoable batch.
 */
import { InvalidArgumentError, type Command } from 'commander'
import type { DiffOp, GlossaryProposal, GlossaryTarget } from '../shared/api'
import {
  action,
  datasetIdByName,
  EXIT,
  globalOptions,
  optionalDatasetId,
  withCore,
  withReadCore,
  type CliState
} from './runtime'
import { formatCount } from './format'

/** glossary.preview returns at most this many proposals (the contract's limit). */
const PREVIEW_LIMIT = 5000

type Format = 'csv' | 'json'

function parseFormat(value: string): Format {
  const v = value.trim().toLowerCase()
  if (v !== 'csv' && v !== 'json') throw new InvalidArgumentError('expected csv or json')
  return v
}

const plural = (n: number, one: string, many = `${one}s`): string =>
  `${formatCount(n)} ${n === 1 ? one : many}`

export interface DiffStyle {
  del(s: string): string
  ins(s: string): string
}

export const PLAIN: DiffStyle = { del: (s) => `[-${s}-]`, ins: (s) => `{+${s}+}` }
export const COLOUR: DiffStyle = {
  del: (s) => `\x1b[31;9m${s}\x1b[0m`,
  ins: (s) => `\x1b[32;4m${s}\x1b[0m`
}

export function renderDiff(diff: readonly DiffOp[], style: DiffStyle): string {
  return diff
    .map((d) => (d.op === '=' ? d.text : d.op === '-' ? style.del(d.text) : style.ins(d.text)))
    .join('')
}

/** One proposal as text: the file, a diff line per language, the reasons. */
export function renderProposal(p: GlossaryProposal, style: DiffStyle): string {
  const lines = [p.relPath]
  for (const lang of ['zh', 'en'] as const) {
    const c = p[lang]
    if (c) lines.push(`  ${lang}: ${renderDiff(c.diff, style)}`)
  }
  for (const r of p.reasons) {
    const why = r.triggers.map((t) => `${t.kind} "${t.value}"`).join(', ')
    lines.push(`  why: ${r.entry} (${r.lang}) ${r.action} ${r.detail}${why ? ` ← ${why}` : ''}`)
  }
  return lines.join('\n')
}

function useColour(): boolean {
  return Boolean(process.stdout.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb'
}

interface FileOptions {
  dataset?: string
  format?: Format
  force?: boolean
}

interface ApplyOptions {
  dataset: string
  dryRun?: boolean
  search?: string
}

export function registerGlossary(program: Command, state: CliState): void {
  const glossary = program
    .command('glossary')
    .description('glossaries of background knowledge: import, export, apply')

  glossary
    .command('import <file>')
    .description(
      'import a glossary (CSV or JSON) into the global glossary or a dataset’s; bad rows are reported and skipped'
    )
    .option('--dataset <name>', 'import into this dataset’s glossary (default: the global one)')
    .option('--format <format>', 'csv or json (default: from the file extension)', parseFormat)
    .action(
      action(state, async (file: string, opts: FileOptions, cmd: Command) => {
        const out = state.output
        const r = await withCore(
          globalOptions(cmd),
          async (core) => {
            const datasetId = await optionalDatasetId(core, opts.dataset)
            return core.call('glossary.import', {
              file,
              ...(opts.format ? { format: opts.format } : {}),
              ...(datasetId !== undefined ? { datasetId } : {})
            })
          },
          { create: !opts.dataset }
        )
        for (const e of r.rowErrors) {
          out.note(
            `glossa: ${file}: row ${e.row}${e.column ? `, column ${e.column}` : ''}: ${e.message}`
          )
        }
        const scope = opts.dataset ? `the glossary of "${opts.dataset}"` : 'the global glossary'
        out.print(
          `Imported ${file} into ${scope}: ${formatCount(r.added)} added, ${formatCount(r.updated)} updated, ${formatCount(r.unchanged)} unchanged` +
            (r.rowErrors.length ? `, ${plural(r.rowErrors.length, 'row')} refused.` : '.')
        )
        await out.result({
          ok: r.rowErrors.length === 0,
          file,
          dataset: opts.dataset ?? null,
          ...r
        })
        return r.rowErrors.length ? EXIT.error : EXIT.ok
      })
    )

  glossary
    .command('export <file>')
    .description('export the global glossary or a dataset’s own entries to CSV or JSON')
    .option('--dataset <name>', 'export this dataset’s entries (default: the global ones)')
    .option('--format <format>', 'csv or json (default: from the file extension)', parseFormat)
    .option('--force', 'overwrite the file if it exists')
    .action(
      action(state, async (file: string, opts: FileOptions, cmd: Command) => {
        const r = await withReadCore(globalOptions(cmd), async (core) => {
          const datasetId = await optionalDatasetId(core, opts.dataset)
          return core.call('glossary.export', {
            file,
            overwrite: Boolean(opts.force),
            ...(opts.format ? { format: opts.format } : {}),
            ...(datasetId !== undefined ? { datasetId } : {})
          })
        })
        state.output.print(`Exported ${plural(r.entries, 'entry', 'entries')} to ${r.file}.`)
        await state.output.result({ ok: true, dataset: opts.dataset ?? null, ...r })
      })
    )

  glossary
    .command('apply')
    .description(
      'apply the dataset’s glossary to its captions as one undoable batch (--dry-run: print the diffs)'
    )
    .requiredOption('--dataset <name>', 'the dataset')
    .option('--dry-run', 'print what would change and write nothing')
    .option('--search <text>', 'only images whose captions, raw text or tags contain this')
    .action(
      action(state, async (opts: ApplyOptions, cmd: Command) => {
        const out = state.output
        await (opts.dryRun ? withReadCore : withCore)(globalOptions(cmd), async (core) => {
          const datasetId = await datasetIdByName(core, opts.dataset)
          const target: GlossaryTarget = {
            datasetId,
            ...(opts.search ? { filter: { datasetId, search: opts.search } } : {})
          }
          if (opts.dryRun) {
            const p = await core.call('glossary.preview', { target, limit: PREVIEW_LIMIT })
            const style = useColour() ? COLOUR : PLAIN
            for (const prop of p.proposals) out.print(renderProposal(prop, style) + '\n')
            if (p.truncated)
              out.print(`… and ${plural(p.total - p.proposals.length, 'more image')}.`)
            out.note(
              `${plural(p.total, 'image')} in "${opts.dataset}" would change (${plural(p.scanned, 'image')} looked at, ${plural(p.entries, 'glossary entry', 'glossary entries')}). Dry run: nothing was written.`
            )
            await out.result({ ok: true, dryRun: true, dataset: opts.dataset, ...p })
            return
          }
          const r = await core.call('glossary.apply', { target })
          out.print(
            r.changed
              ? `Applied the glossary to ${plural(r.changed, 'image')} in "${opts.dataset}" (undo with "glossa undo").`
              : `The glossary changes nothing in "${opts.dataset}".`
          )
          await out.result({ ok: true, dryRun: false, dataset: opts.dataset, ...r })
        })
      })
    )
}
