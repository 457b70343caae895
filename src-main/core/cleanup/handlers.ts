/**
 * cleanup.*: the cleanup pipeline over a target (preview with per-rule counts and capped diffs;
 * apply as ONE undoable journal batch that never touches the raw imported text) and user rules
 * saved per dataset.
 */
import type { ReadableDB } from '../db/types'
import type {
  CleanupPreviewItem,
  CleanupPreviewResult,
  CleanupRuleTotal,
  DataTarget,
  Lang,
  UserRuleData
} from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import type { HandlerMap } from '../context'
import { setCaption, setTags, withBatch } from '../db/journal'
import { prepared } from '../db/statements'
import { assertDataset } from '../glossary/queries'
import {
  PRESET_IDS,
  PRESETS,
  RULES,
  compileUserRule,
  compilePipeline,
  presetSteps,
  previewCleanup,
  runItem,
  testUserRule,
  type CompiledPipeline,
  type PipelineStep,
  type PresetId
} from './'
import { parse } from '../captions/text/structured'
import { fieldsJson } from '../captions/queries'
import { loadImages, targetImages } from '../captions/batch'

// ---------------------------------------------------------------------------------------------
// User rules

export function savedRules(db: ReadableDB, datasetId: number): UserRuleData[] {
  const row = prepared(db, 'SELECT rules FROM cleanup_rules WHERE dataset_id = ?').get(
    datasetId
  ) as { rules: string } | undefined
  return row ? (JSON.parse(row.rules) as UserRuleData[]) : []
}

function checkRules(rules: readonly UserRuleData[]): void {
  const ids = new Set<string>()
  for (const r of rules) {
    if (ids.has(r.id))
      throw new GlossaError('INVALID_ARGS', `two user rules have the id "${r.id}"`, { id: r.id })
    ids.add(r.id)
    compileUserRule(r) // throws INVALID_ARGS naming the rule and the reason
  }
}

// ---------------------------------------------------------------------------------------------
// Pipelines

interface PipelineArgs {
  target: DataTarget
  presets?: PresetId[]
  steps?: PipelineStep[]
  userRules?: UserRuleData[]
}

function pipelineFor(db: ReadableDB, a: PipelineArgs): CompiledPipeline {
  assertDataset(db, a.target.datasetId)
  const steps = [...presetSteps(...(a.presets ?? [])), ...(a.steps ?? [])]
  const userRules = a.userRules ?? savedRules(db, a.target.datasetId)
  const compiled = compilePipeline({ steps, userRules })
  if (compiled.steps.length === 0)
    throw new GlossaError('INVALID_ARGS', 'the cleanup pipeline has no enabled rule')
  return compiled
}

function mergeTotals(into: Map<string, CleanupRuleTotal>, add: CleanupRuleTotal[]): void {
  for (const t of add) {
    const cur = into.get(t.rule)
    if (cur) {
      cur.count += t.count
      cur.items += t.items
    } else into.set(t.rule, { ...t })
  }
}

/** The label of the journal batch: "Cleanup: web-scrape, kohya (+2 rules)". */
function batchLabel(a: PipelineArgs, p: CompiledPipeline): string {
  const named = [...(a.presets ?? [])]
  const extra = p.steps.length - (a.presets ?? []).reduce((n, id) => n + PRESETS[id].length, 0)
  const parts = named.length ? named.join(', ') : 'custom rules'
  return `Cleanup: ${parts}${named.length && extra > 0 ? ` (+${extra} rules)` : ''}`
}

/** Captions take 'cleanup' as their source unless they were manual or from a model. */
function cleanedSource(source: string): string {
  return source === 'import' ? 'cleanup' : source
}

// ---------------------------------------------------------------------------------------------

export const cleanupHandlers = {
  'cleanup.presets': () => ({
    presets: PRESET_IDS.map((id) => ({
      id,
      steps: presetSteps(id).map((s) => ({ rule: s.rule, enabled: s.enabled !== false }))
    })),
    rules: [...RULES.values()].map((r) => ({
      id: r.id,
      label: r.label,
      fields: [...r.fields],
      optIn: r.optIn === true
    }))
  }),

  'cleanup.preview': async (ctx, a) => {
    const pipeline = pipelineFor(ctx.db, a)
    const totals = new Map<string, CleanupRuleTotal>()
    for (const s of pipeline.steps)
      totals.set(s.id, { rule: s.id, label: s.label, count: 0, items: 0 })
    const items: CleanupPreviewItem[] = []
    let scanned = 0
    let changed = 0
    for await (const chunk of targetImages(ctx, a.target)) {
      const byId = new Map(chunk.map((c) => [c.imageId, c]))
      const p = previewCleanup(
        chunk.map((c) => ({ id: c.imageId, zh: c.zh ?? '', en: c.en ?? '', tags: [...c.tags] })),
        pipeline,
        { limit: Math.max(0, a.limit - items.length) }
      )
      scanned += p.scanned
      changed += p.changed
      mergeTotals(totals, p.totals)
      for (const it of p.items) {
        const img = byId.get(it.id)!
        items.push({
          imageId: it.id,
          fileName: img.fileName,
          relPath: img.relPath,
          before: it.before,
          after: it.after,
          counts: it.counts,
          diff: it.diff ?? {}
        })
      }
    }
    const out: CleanupPreviewResult = {
      scanned,
      changed,
      totals: [...totals.values()],
      items,
      limit: a.limit,
      truncated: changed > items.length
    }
    return out
  },

  'cleanup.apply': async (ctx, a) => {
    const pipeline = pipelineFor(ctx.db, a)
    const exclude = new Set(a.excludeImageIds)
    const ids: number[] = []
    for await (const chunk of targetImages(ctx, a.target))
      for (const c of chunk) if (!exclude.has(c.imageId)) ids.push(c.imageId)
    const totals = new Map<string, CleanupRuleTotal>()
    for (const s of pipeline.steps)
      totals.set(s.id, { rule: s.id, label: s.label, count: 0, items: 0 })
    // One batch, recomputed from the captions as they are inside the transaction.
    const out = withBatch(ctx, batchLabel(a, pipeline), (b) => {
      let changed = 0
      for (let i = 0; i < ids.length; i += 1000) {
        for (const img of loadImages(b.db, ids.slice(i, i + 1000))) {
          const r = runItem(
            { id: img.imageId, zh: img.zh ?? '', en: img.en ?? '', tags: [...img.tags] },
            pipeline
          )
          if (!r.changed) continue
          let wrote = false
          for (const lang of ['zh', 'en'] as Lang[]) {
            const next = r[lang]
            if (next === (img[lang] ?? '')) continue
            const cur = prepared(
              b.db,
              'SELECT fields, source FROM captions WHERE image_id = ? AND lang = ?'
            ).get(img.imageId, lang) as { fields: string | null; source: string } | undefined
            if (!cur) continue
            wrote =
              setCaption(b, img.imageId, lang, {
                text: next,
                fields: cur.fields === null ? null : fieldsJson(parse(next, lang)),
                source: cleanedSource(cur.source)
              }) || wrote
          }
          if (r.tags !== img.tags && r.tags.join('\u0000') !== img.tags.join('\u0000')) {
            const meta = new Map(
              (
                prepared(
                  b.db,
                  'SELECT tag, score, source FROM tags WHERE image_id = ? ORDER BY position'
                ).all(img.imageId) as { tag: string; score: number | null; source: string }[]
              ).map((t) => [t.tag, t])
            )
            wrote =
              setTags(
                b,
                img.imageId,
                r.tags.map((tag) => ({
                  tag,
                  score: meta.get(tag)?.score ?? null,
                  source: meta.get(tag)?.source ?? 'cleanup'
                }))
              ) || wrote
          }
          if (!wrote) continue
          changed++
          for (const [rule, n] of Object.entries(r.counts)) {
            const t = totals.get(rule)
            if (t) {
              t.count += n
              t.items++
            }
          }
        }
      }
      return changed
    })
    return { changed: out.result, batchId: out.batchId, totals: [...totals.values()] }
  },

  'cleanup.rules.get': (ctx, a) => {
    assertDataset(ctx.db, a.datasetId)
    return { datasetId: a.datasetId, rules: savedRules(ctx.db, a.datasetId) }
  },

  'cleanup.rules.save': (ctx, a) => {
    assertDataset(ctx.db, a.datasetId)
    checkRules(a.rules)
    prepared(
      ctx.db,
      `INSERT INTO cleanup_rules (dataset_id, rules, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (dataset_id) DO UPDATE SET rules = excluded.rules, updated_at = excluded.updated_at`
    ).run(a.datasetId, JSON.stringify(a.rules), Date.now())
    return { datasetId: a.datasetId, rules: savedRules(ctx.db, a.datasetId) }
  },

  'cleanup.rules.test': (_ctx, a) => {
    const results: { input: string; output: string; count: number }[] = []
    for (const s of a.samples) {
      const r = testUserRule(a.rule, s)
      if (!r.ok) return { ok: false, error: r.error, results: [] }
      results.push({ input: s, output: r.output, count: r.count })
    }
    return { ok: true, results }
  }
} satisfies Partial<HandlerMap>
