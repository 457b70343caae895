/**
 * cleanup.*: the cleanup pipeline over a target (preview with per-rule counts and capped diffs;
 * apply as ONE undoable journal batch, written in short transactions, that never touches the raw
 * imported text) and user rules
 * saved per dataset.
 */
import type { ReadableDB } from '../db/types'
import type {
  CleanupHeldItem,
  CleanupPreviewItem,
  CleanupPreviewResult,
  CleanupRuleTotal,
  DataTarget,
  Lang,
  UserRuleData
} from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import type { CoreContext, HandlerMap } from '../context'
import { setCaption, setTags } from '../db/journal'
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
import { imagesById, targetIdChunks, targetImages } from '../captions/batch'
import { SlicedBatch } from '../review/sliced'
import { imageNames, previewChunk } from './queries'
import type { CleanupItem } from './types'

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
      cur.held = (cur.held ?? 0) + (t.held ?? 0)
    } else into.set(t.rule, { ...t })
  }
}

/**
 * The label of the journal batch names the presets that ran: "Cleanup: web-scrape, kohya (+2
 * rules)". Explicit steps (presets with some rules toggled) are named by the presets their rules
 * come from, marked "edited"; rules of no preset and user rules are counted.
 */
export function batchLabel(a: PipelineArgs, p: CompiledPipeline): string {
  const named: string[] = [...(a.presets ?? [])]
  let counted = (a.presets ?? []).reduce(
    (n, id) => n + PRESETS[id].filter((r) => p.steps.some((s) => s.id === r)).length,
    0
  )
  const fromSteps = new Set<PresetId>()
  const on = (a.steps ?? []).filter((st) => st.enabled !== false).map((st) => st.rule)
  const inPreset = (id: PresetId, r: string) => (PRESETS[id] as readonly string[]).includes(r)
  // a rule of several presets ("whitespace") counts for the one most of the steps come from
  const weight = (id: PresetId) => on.filter((r) => inPreset(id, r)).length
  for (const r of on) {
    let owner: PresetId | undefined
    for (const id of PRESET_IDS)
      if (inPreset(id, r) && (owner === undefined || weight(id) > weight(owner))) owner = id
    if (owner && !named.includes(owner)) fromSteps.add(owner)
    if (owner) counted++
  }
  for (const id of PRESET_IDS) {
    if (!fromSteps.has(id)) continue
    const defaults = presetSteps(id).filter((st) => st.enabled !== false)
    const same = defaults.every((st) => on.includes(st.rule)) && weight(id) === defaults.length
    named.push(same ? id : `${id} (edited)`)
  }
  const users = p.steps.filter((s) => !RULES.has(s.id)).length
  const other = Math.max(0, p.steps.length - users - counted)
  const extras: string[] = []
  if (other > 0) extras.push(`${other} rule${other === 1 ? '' : 's'}`)
  if (users > 0) extras.push(`${users} user rule${users === 1 ? '' : 's'}`)
  if (!named.length) return `Cleanup: ${extras.join(', ') || 'no rules'}`
  return `Cleanup: ${named.join(', ')}${extras.length ? ` (+${extras.join(', ')})` : ''}`
}

/** Captions take 'cleanup' as their source unless they were manual or from a model. */
function cleanedSource(source: string): string {
  return source === 'import' ? 'cleanup' : source
}

const PREVIEW_CHUNK = 1000
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/**
 * The images a preview runs over, a chunk at a time, as the rules take them. A whole dataset (the
 * common case) is read by range scans (queries.ts previewChunk), so reading costs little beside
 * the rules; a filter or a selection goes through targetImages.
 */
async function* previewChunks(ctx: CoreContext, target: DataTarget): AsyncGenerator<CleanupItem[]> {
  const filtered =
    target.imageIds !== undefined ||
    (target.filter !== undefined &&
      Object.entries(target.filter).some(([k, v]) => k !== 'datasetId' && v !== undefined))
  if (filtered) {
    for await (const chunk of targetImages(ctx, target))
      yield chunk.map((c) => ({ id: c.imageId, zh: c.zh ?? '', en: c.en ?? '', tags: [...c.tags] }))
    return
  }
  assertDataset(ctx.db, target.datasetId)
  let after = 0
  for (;;) {
    if (ctx.closing.aborted) throw new GlossaError('CANCELLED', 'the library is closing')
    const items = previewChunk(ctx.db, target.datasetId, after, PREVIEW_CHUNK)
    if (!items.length) return
    after = items[items.length - 1]!.id
    yield items
    await tick()
  }
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
      totals.set(s.id, { rule: s.id, label: s.label, count: 0, items: 0, held: 0 })
    const items: CleanupPreviewItem[] = []
    const held: CleanupHeldItem[] = []
    let scanned = 0
    let changed = 0
    let heldItems = 0
    for await (const chunk of previewChunks(ctx, a.target)) {
      const p = previewCleanup(chunk, pipeline, {
        limit: Math.max(0, a.limit - items.length),
        heldLimit: Math.max(0, a.limit - held.length)
      })
      scanned += p.scanned
      changed += p.changed
      heldItems += p.heldItems
      mergeTotals(totals, p.totals)
      const listedHeld = p.held.slice(0, Math.max(0, a.limit - held.length))
      const listed = p.items.slice(0, Math.max(0, a.limit - items.length))
      if (!listedHeld.length && !listed.length) continue
      const names = imageNames(
        ctx.db,
        [...listedHeld, ...listed].map((x) => x.id)
      )
      const name = (id: number) => names.get(id) ?? { fileName: '', relPath: '' }
      for (const h of listedHeld)
        held.push({ imageId: h.id, ...name(h.id), steps: h.steps.map((x) => ({ ...x })) })
      for (const it of listed) {
        items.push({
          imageId: it.id,
          ...name(it.id),
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
      truncated: changed > items.length,
      heldItems,
      held
    }
    return out
  },

  'cleanup.apply': async (ctx, a) => {
    const pipeline = pipelineFor(ctx.db, a)
    const exclude = new Set(a.excludeImageIds)
    const release = new Set(a.releaseImageIds)
    const totals = new Map<string, CleanupRuleTotal>()
    for (const s of pipeline.steps)
      totals.set(s.id, { rule: s.id, label: s.label, count: 0, items: 0, held: 0 })
    let heldItems = 0
    let changed = 0
    // One batch, written a target chunk at a time in short transactions (SlicedBatch: the core
    // answers other calls between them), each image recomputed from its captions as they are
    // inside its transaction.
    const w = new SlicedBatch(ctx, batchLabel(a, pipeline))
    try {
      for await (const chunk of targetIdChunks(ctx, a.target)) {
        const ids = exclude.size ? chunk.filter((id) => !exclude.has(id)) : chunk
        await w.write(ids, imagesById, (b, _id, img) => {
          const r = runItem(
            { id: img.imageId, zh: img.zh ?? '', en: img.en ?? '', tags: [...img.tags] },
            pipeline,
            { guard: !release.has(img.imageId) }
          )
          if (r.held.length > 0) {
            heldItems++
            for (const rule of new Set(r.held.map((h) => h.rule))) {
              const t = totals.get(rule)
              if (t) t.held = (t.held ?? 0) + 1
            }
          }
          if (!r.changed) return
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
          if (!wrote) return
          changed++
          for (const [rule, n] of Object.entries(r.counts)) {
            const t = totals.get(rule)
            if (t) {
              t.count += n
              t.items++
            }
          }
        })
      }
    } finally {
      w.end()
    }
    return {
      changed,
      batchId: w.batchId,
      totals: [...totals.values()],
      heldItems
    }
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
