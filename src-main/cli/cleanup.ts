/**
 * `glossa cleanup --dataset NAME --preset P [--preset Q] [--dry-run] [--diffs N] [--json]`.
 * A dry run prints the per-rule counts ("URLs removed: 312") and the first diffs per language,
 * writing nothing; without it the cleanup lands as ONE undoable batch (`glossa undo` reverts it).
 * The dataset's saved user rules run after the presets unless `--no-user-rules`.
 */
import { InvalidArgumentError, type Command } from 'commander'
import {
  CLEANUP_PRESETS,
  type CleanupDiffPart,
  type CleanupPresetId,
  type CleanupPreviewItem,
  type CleanupRuleTotal
} from '../shared/api'
import {
  action,
  datasetIdByName,
  EXIT,
  globalOptions,
  withCore,
  withReadCore,
  type CliState
} from './runtime'
import { formatCount, table } from './format'
import { COLOUR, PLAIN, renderDiff, type DiffStyle } from './glossary'
import { parsePositiveInt } from './options'

function parsePreset(value: string, previous: CleanupPresetId[] = []): CleanupPresetId[] {
  const list = value
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)
  if (!list.length) throw new InvalidArgumentError('expected a preset name')
  for (const p of list) {
    if (!(CLEANUP_PRESETS as readonly string[]).includes(p))
      throw new InvalidArgumentError(`expected one of ${CLEANUP_PRESETS.join(', ')}`)
  }
  return [...new Set([...previous, ...(list as CleanupPresetId[])])]
}

/** "URLs removed: 312 (in 40 images)" lines as a table, zero rows last and dimmed by omission. */
export function renderTotals(totals: readonly CleanupRuleTotal[]): string {
  const rows = [...totals]
    .sort((a, b) => b.count - a.count)
    .map((t) => [t.label, t.rule, formatCount(t.count), formatCount(t.items)])
  return table(['rule', 'id', 'changes', 'images'], rows, [2, 3])
}

const tagDiff = (d: readonly CleanupDiffPart[], style: DiffStyle): string => renderDiff(d, style)

export function renderItem(it: CleanupPreviewItem, style: DiffStyle): string {
  const lines = [it.relPath]
  for (const lang of ['zh', 'en'] as const) {
    const d = it.diff[lang]
    if (d) lines.push(`  ${lang}: ${renderDiff(d, style)}`)
  }
  if (it.diff.tags) lines.push(`  tags: ${tagDiff(it.diff.tags, style)}`)
  const why = Object.entries(it.counts)
    .filter(([, n]) => n > 0)
    .map(([rule, n]) => `${rule} ×${n}`)
  if (why.length) lines.push(`  rules: ${why.join(', ')}`)
  return lines.join('\n')
}

interface CleanupOptions {
  dataset: string
  preset?: CleanupPresetId[]
  dryRun?: boolean
  diffs?: number
  userRules?: boolean
  search?: string
}

export function registerCleanup(program: Command, state: CliState): void {
  program
    .command('cleanup')
    .description(
      'clean captions and tags with rule presets (web noise, kohya rules, tag hygiene, normalisation); one undoable batch'
    )
    .requiredOption('--dataset <name>', 'the dataset to clean')
    .option(
      '--preset <name>',
      `preset to run, in order (repeatable or comma-separated): ${CLEANUP_PRESETS.join(', ')}`,
      parsePreset
    )
    .option('--dry-run', 'print per-rule counts and diffs; change nothing')
    .option('--diffs <n>', 'how many changed images a dry run shows (default 20)', parsePositiveInt)
    .option('--search <text>', 'only images whose caption or file name contains this text')
    .option('--no-user-rules', 'leave out the dataset’s saved find/replace rules')
    .action(
      action(state, async (opts: CleanupOptions, cmd: Command) => {
        const out = state.output
        const presets = opts.preset ?? []
        return (opts.dryRun ? withReadCore : withCore)(globalOptions(cmd), async (core) => {
          const datasetId = await datasetIdByName(core, opts.dataset)
          const target = {
            datasetId,
            ...(opts.search ? { filter: { datasetId, search: opts.search } } : {})
          }
          const saved = (await core.call('cleanup.rules.get', { datasetId })).rules
          const userRules = opts.userRules === false ? [] : saved
          if (!presets.length && !userRules.some((r) => r.enabled !== false)) {
            out.note(
              `glossa: give --preset (${CLEANUP_PRESETS.join(', ')}); the dataset has no saved user rules`
            )
            return EXIT.usage
          }
          const pipeline = { target, presets, userRules }
          const style = process.stdout.isTTY && !process.env.NO_COLOR ? COLOUR : PLAIN
          const what = presets.length ? presets.join(', ') : 'user rules'
          if (opts.dryRun) {
            const p = await core.call('cleanup.preview', {
              ...pipeline,
              limit: Math.min(opts.diffs ?? 20, 2000)
            })
            out.print(
              `Dry run of ${what} on "${opts.dataset}": ${formatCount(p.changed)} of ${formatCount(p.scanned)} images would change. Nothing was written.`
            )
            out.print(renderTotals(p.totals))
            for (const it of p.items) out.print(renderItem(it, style))
            if (p.truncated)
              out.print(`… ${formatCount(p.changed - p.items.length)} more changed images`)
            if (p.heldItems > 0) {
              out.print(
                `Held back for review (would empty a caption or remove most of it; not applied): ${formatCount(p.heldItems)} images`
              )
              for (const h of p.held)
                for (const st of h.steps)
                  out.print(
                    `  ${h.relPath} ${st.field}: ${st.rule} (${st.reason === 'empties' ? 'empties it' : `removes ${Math.round(st.removed * 100)}%`}) ${JSON.stringify(st.before)} → ${JSON.stringify(st.after)}`
                  )
            }
            await out.result({
              ok: true,
              dryRun: true,
              dataset: opts.dataset,
              presets,
              scanned: p.scanned,
              changed: p.changed,
              totals: p.totals,
              items: p.items,
              heldItems: p.heldItems,
              held: p.held
            })
            return EXIT.ok
          }
          const r = await core.call('cleanup.apply', pipeline)
          out.print(
            r.changed
              ? `Cleaned ${formatCount(r.changed)} images of "${opts.dataset}" with ${what} as one batch (undo with "glossa undo").`
              : `Nothing to clean in "${opts.dataset}" with ${what}.`
          )
          if (r.changed) out.print(renderTotals(r.totals.filter((t) => t.count > 0)))
          if (r.heldItems)
            out.print(
              `${formatCount(r.heldItems)} images kept a rule back for review (it would empty the caption or remove most of it); see --dry-run.`
            )
          await out.result({
            ok: true,
            dryRun: false,
            dataset: opts.dataset,
            presets,
            changed: r.changed,
            batchId: r.batchId,
            totals: r.totals,
            heldItems: r.heldItems
          })
          return EXIT.ok
        })
      })
    )
}
