/** The rule registry, presets, pipeline compilation, one-item runs and the preview over many. */
import { diffArrays, diffChars, diffWordsWithSpace } from 'diff'
import { GlossaError } from '../../../shared/errors'
import { boilerplateRule, creditsRule, postTagRule } from './boilerplate'
import { budgetRule } from './budget'
import { kohyaCaptionRule, kohyaTagsRule } from './kohya'
import { punctuationRule, repeatedSentenceRule, traditionalRule, whitespaceRule } from './normalise'
import { guardStep, type HoldReason } from './guard'
import {
  blacklistRule,
  dedupeRule,
  genericRule,
  ratingRule,
  replaceRule,
  tagTidyRule,
  underscoreRule,
  whitelistRule
} from './tags'
import { joinTags, splitTags } from './tidy'
import type { CleanupItem, CompiledStep, Field, PipelineSpec, PipelineStep, Rule } from './types'
import { FIELDS } from './types'
import { compileUserRule } from './user'
import {
  emailRule,
  emojiRule,
  hashtagRule,
  htmlEntityRule,
  htmlTagRule,
  mentionRule,
  urlRule
} from './web'

export const RULES: ReadonlyMap<string, Rule> = new Map(
  [
    htmlTagRule,
    htmlEntityRule,
    urlRule,
    emailRule,
    mentionRule,
    hashtagRule,
    emojiRule,
    postTagRule,
    boilerplateRule,
    creditsRule,
    kohyaTagsRule,
    kohyaCaptionRule,
    tagTidyRule,
    underscoreRule,
    ratingRule,
    dedupeRule,
    genericRule,
    blacklistRule,
    whitelistRule,
    replaceRule,
    whitespaceRule,
    punctuationRule,
    traditionalRule,
    repeatedSentenceRule,
    budgetRule
  ].map((r) => [r.id, r])
)

/**
 * Preset order matters for a run to settle: a rule runs after the rules whose removals can expose
 * noise for it. Entities before tags ("&lt;b&gt;" is a tag), the self-delimiting tokens (URL,
 * e-mail, mention, hashtag, emoji) before the phrases whose residues they leave ("via @x on
 * Twitter" → "via on Twitter"), post tags before the segments they hide ("[OC] | Pinterest").
 */
export const PRESETS = {
  'web-scrape': [
    'html-entities',
    'html-tags',
    'url',
    'email',
    'mention',
    'hashtag',
    'emoji',
    'post-tags',
    'credits',
    'boilerplate',
    'whitespace'
  ],
  kohya: ['kohya-tags', 'kohya-caption'],
  tags: [
    'tags-tidy',
    'tags-underscores',
    'tags-rating',
    'tags-dedupe',
    'tags-generic',
    'tags-blacklist',
    'tags-whitelist',
    'tags-replace'
  ],
  normalise: ['whitespace', 'punct-width', 't2s', 'repeated-sentences']
} as const satisfies Record<string, readonly string[]>
export type PresetId = keyof typeof PRESETS
export const PRESET_IDS = Object.keys(PRESETS) as PresetId[]

/** The steps of one or more presets, in order; opt-in rules (繁→简) come disabled. */
export function presetSteps(...ids: PresetId[]): PipelineStep[] {
  const out: PipelineStep[] = []
  for (const id of ids) {
    const list: readonly string[] | undefined = PRESETS[id]
    if (!list) throw new GlossaError('INVALID_ARGS', `Unknown cleanup preset "${String(id)}"`)
    for (const rule of list) out.push({ rule, enabled: !RULES.get(rule)?.optIn })
  }
  return out
}

export interface CompiledPipeline {
  steps: CompiledStep[]
}

/** Validates a pipeline: unknown rules, bad fields, bad options and bad user regexes are errors. */
export function compilePipeline(spec: PipelineSpec): CompiledPipeline {
  const steps: CompiledStep[] = []
  spec.steps.forEach((step, i) => {
    const rule = RULES.get(step.rule)
    if (!rule) {
      throw new GlossaError('INVALID_ARGS', `Step ${i + 1}: unknown cleanup rule "${step.rule}"`, {
        step: i,
        known: [...RULES.keys()]
      })
    }
    if (step.enabled === false || (step.enabled === undefined && rule.optIn)) return
    const fields = step.fields?.length
      ? step.fields.filter((f) => rule.fields.includes(f))
      : rule.fields
    for (const f of step.fields ?? []) {
      if (!FIELDS.includes(f))
        throw new GlossaError('INVALID_ARGS', `Step ${i + 1}: unknown field "${String(f)}"`)
    }
    const options = step.options ?? {}
    try {
      rule.apply('', fields[0] ?? 'en', options) // options are checked on first use; fail early
    } catch (err) {
      throw new GlossaError(
        'INVALID_ARGS',
        `Rule "${rule.id}": ${err instanceof Error ? err.message : String(err)}`
      )
    }
    steps.push({
      id: rule.id,
      label: rule.label,
      fields,
      options,
      keepsContent: rule.keepsContent === true,
      settles: true,
      apply: rule.apply
    })
  })
  for (const u of spec.userRules ?? []) {
    if (u.enabled === false) continue
    steps.push(compileUserRule(u))
  }
  return { steps }
}

/** A step the guard held back for one field of one item (guard.ts): it was not applied. */
export interface HeldStep {
  rule: string
  label: string
  field: Field
  reason: HoldReason
  /** share of the caption's content units the step would have removed, 0–1 */
  removed: number
  /** the field as the step got it (and as it stays), and what the step would have made of it */
  before: string
  after: string
}

export interface CleanedItem {
  zh: string
  en: string
  tags: string[]
  /** per rule id: how many things it changed in this item (held steps not included) */
  counts: Readonly<Record<string, number>>
  changed: boolean
  /** the steps the guard held back, in pipeline order (empty when none) */
  held: readonly HeldStep[]
}

export interface RunOptions {
  /**
   * hold back steps that would empty a caption or remove most of it (default true); false applies
   * them, for items a reviewer has released
   */
  guard?: boolean
}

const NO_COUNTS: Readonly<Record<string, number>> = Object.freeze({})
const NO_HELD: readonly HeldStep[] = Object.freeze([])
/**
 * Passes over the built-in steps at most. A removal can expose noise for a rule that already ran
 * ("[赞R]//#tag": the tag is one only once the sticker and the slashes went), so the steps run
 * again while a pass changes something; every pass only removes or settles text, and real
 * captions settle in one or two.
 */
export const MAX_PASSES = 6

/**
 * Runs the pipeline on one item: the built-in steps, pass after pass until a pass changes nothing
 * (so running the result again changes nothing), then the user rules once. Each step sees each of
 * its fields as the previous steps left it; a step the guard holds back leaves that field
 * unchanged and the next steps go on from there.
 */
export function runItem(
  item: CleanupItem,
  pipeline: CompiledPipeline,
  opts: RunOptions = {}
): CleanedItem {
  const guard = opts.guard !== false
  const joined = joinTags(item.tags)
  const cur: Record<Field, string> = { zh: item.zh, en: item.en, tags: joined }
  let counts: Record<string, number> | undefined
  let held: Map<string, HeldStep> | undefined
  const run = (step: CompiledStep): boolean => {
    let changed = false
    for (const f of step.fields) {
      const before = cur[f]
      if (before === '') continue
      const r = step.apply(before, f, step.options)
      if (r.count <= 0 || r.text === before) continue
      const key = `${step.id}\u0000${f}`
      const v = guard ? guardStep(before, r.text, f, !step.keepsContent) : null
      if (v) {
        ;(held ??= new Map()).set(key, {
          rule: step.id,
          label: step.label,
          field: f,
          ...v,
          before,
          after: r.text
        })
        continue
      }
      held?.delete(key)
      cur[f] = r.text
      counts ??= {}
      counts[step.id] = (counts[step.id] ?? 0) + r.count
      changed = true
    }
    return changed
  }
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    // what is held is what the last pass holds: an earlier hold may have become moot
    held?.clear()
    let changed = false
    for (const step of pipeline.steps) if (step.settles && run(step)) changed = true
    if (!changed) break
  }
  for (const step of pipeline.steps) if (!step.settles) run(step)
  const tagsChanged = cur.tags !== joined
  return {
    zh: cur.zh,
    en: cur.en,
    tags: tagsChanged ? splitTags(cur.tags) : item.tags,
    counts: counts ?? NO_COUNTS,
    changed: cur.zh !== item.zh || cur.en !== item.en || tagsChanged,
    held: held ? [...held.values()] : NO_HELD
  }
}

export interface DiffPart {
  /** '=' kept, '-' removed, '+' added */
  op: '=' | '-' | '+'
  text: string
}

export interface PreviewItem {
  id: number
  before: { zh: string; en: string; tags: string[] }
  after: { zh: string; en: string; tags: string[] }
  counts: Readonly<Record<string, number>>
  diff?: { zh?: DiffPart[]; en?: DiffPart[]; tags?: DiffPart[] }
  /** steps held back for this item (it changed in other ways) */
  held?: readonly HeldStep[]
}

export interface PreviewTotal {
  rule: string
  label: string
  /** things changed over all items */
  count: number
  /** items the rule changed */
  items: number
  /** items where the guard held the rule back */
  held: number
}

/** An item with held steps, for the review list (whether or not other steps changed it). */
export interface PreviewHeld {
  id: number
  steps: readonly HeldStep[]
}

export interface CleanupPreview {
  scanned: number
  changed: number
  totals: PreviewTotal[]
  items: PreviewItem[]
  /** true when more items changed than `limit` allowed to list */
  truncated: boolean
  /** items with at least one step held back by the guard */
  heldItems: number
  /** the first `limit` of them */
  held: PreviewHeld[]
}

export interface PreviewOptions {
  /** most changed items to list with before/after (totals always cover every item) */
  limit?: number
  /** compute diffs for the listed items (default true) */
  diff?: boolean
  /** see RunOptions.guard */
  guard?: boolean
}

function parts<T>(
  changes: Array<{ added: boolean; removed: boolean; value: T }>,
  join: (v: T) => string
): DiffPart[] {
  return changes.map((c) => ({ op: c.added ? '+' : c.removed ? '-' : '=', text: join(c.value) }))
}

/**
 * Runs a pipeline over captions and reports the changed ones with per-rule counts, and the ones
 * with steps held back by the guard. The totals are what applying the same pipeline to the same
 * captions changes (apply runs runItem on each item and writes the changed ones).
 */
export function previewCleanup(
  captions: Iterable<CleanupItem>,
  pipeline: PipelineSpec | CompiledPipeline,
  opts: PreviewOptions = {}
): CleanupPreview {
  const compiled = isCompiled(pipeline) ? pipeline : compilePipeline(pipeline)
  const limit = opts.limit ?? Infinity
  const run: RunOptions = { guard: opts.guard !== false }
  const totals = new Map<string, PreviewTotal>()
  for (const s of compiled.steps)
    totals.set(s.id, { rule: s.id, label: s.label, count: 0, items: 0, held: 0 })
  const items: PreviewItem[] = []
  const held: PreviewHeld[] = []
  let scanned = 0
  let changed = 0
  let heldItems = 0
  for (const c of captions) {
    scanned++
    const r = runItem(c, compiled, run)
    if (r.held.length > 0) {
      heldItems++
      const seen = new Set<string>()
      for (const h of r.held) {
        const t = totals.get(h.rule)
        if (t && !seen.has(h.rule)) t.held++
        seen.add(h.rule)
      }
      if (held.length < limit) held.push({ id: c.id, steps: r.held })
    }
    if (!r.changed) continue
    changed++
    for (const rule in r.counts) {
      const t = totals.get(rule)
      if (t) {
        t.count += r.counts[rule]!
        t.items++
      }
    }
    if (items.length >= limit) continue
    const item: PreviewItem = {
      id: c.id,
      before: { zh: c.zh, en: c.en, tags: c.tags },
      after: { zh: r.zh, en: r.en, tags: r.tags },
      counts: r.counts
    }
    if (r.held.length > 0) item.held = r.held
    if (opts.diff !== false) {
      item.diff = {}
      if (r.zh !== c.zh) item.diff.zh = parts(diffChars(c.zh, r.zh), (v) => v)
      if (r.en !== c.en) item.diff.en = parts(diffWordsWithSpace(c.en, r.en), (v) => v)
      if (r.tags !== c.tags) item.diff.tags = parts(diffArrays(c.tags, r.tags), (v) => joinTags(v))
    }
    items.push(item)
  }
  return {
    scanned,
    changed,
    totals: [...totals.values()],
    items,
    truncated: changed > items.length,
    heldItems,
    held
  }
}

function isCompiled(p: PipelineSpec | CompiledPipeline): p is CompiledPipeline {
  return (
    !('userRules' in p) && p.steps.every((s) => typeof (s as CompiledStep).apply === 'function')
  )
}
