/** The rule registry, presets, pipeline compilation, one-item runs and the preview over many. */
import { diffArrays, diffChars, diffWordsWithSpace } from 'diff'
import { GlossaError } from '../../shared/errors'
import { boilerplateRule, creditsRule, postTagRule } from './boilerplate'
import { budgetRule } from './budget'
import { kohyaCaptionRule, kohyaTagsRule } from './kohya'
import { punctuationRule, repeatedSentenceRule, traditionalRule, whitespaceRule } from './normalise'
import { charMask, mayNeed } from './chars'
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
import type {
  CleanupItem,
  CompiledStep,
  Field,
  PipelineSpec,
  PipelineStep,
  Rule,
  RuleResult
} from './types'
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
 * Preset order decides which rule a removal is counted for (a run settles whatever the order: see
 * runItem). Entities before tags ("&lt;b&gt;" is a tag); URLs and e-mail addresses first of the
 * rest, so no label's value cuts into one; credits and boilerplate before mentions and hashtags,
 * so "Credit: @x", "via @x on Twitter" and "(by u/x)" go whole as what they are; post tags before
 * the segments they would hide ("[OC] | Pinterest").
 */
export const PRESETS = {
  'web-scrape': [
    'html-entities',
    'html-tags',
    'url',
    'email',
    'post-tags',
    'credits',
    'boilerplate',
    'mention',
    'hashtag',
    'emoji',
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
      needs: rule.needs,
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
 * ("[赞R]//#tag": the tag is one only once the sticker and the slashes went), so a step runs
 * again when its field changed after it ran; every rule settles on its own output, so the step
 * that made the last change need not. Real captions settle in one pass and a short second one.
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
  const joined = joinTags(item.tags)
  const steps = pipeline.steps
  const st: RunState = {
    guard: opts.guard !== false,
    zh: item.zh,
    en: item.en,
    tags: joined,
    counts: undefined,
    held: undefined,
    mask: { zh: -1, en: -1, tags: -1 },
    stale: { zh: steps.length, en: steps.length, tags: steps.length },
    first: { zh: NONE, en: NONE, tags: NONE },
    last: { zh: -1, en: -1, tags: -1 }
  }
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    st.first.zh = st.first.en = st.first.tags = NONE
    st.last.zh = st.last.en = st.last.tags = -1
    for (let i = 0; i < steps.length; i++) if (steps[i]!.settles) runStep(st, steps[i]!, i)
    // next pass: on each field, the steps that ran before its last change
    st.stale.zh = st.last.zh
    st.stale.en = st.last.en
    st.stale.tags = st.last.tags
    if (st.last.zh < 0 && st.last.en < 0 && st.last.tags < 0) break
  }
  st.stale.zh = st.stale.en = st.stale.tags = steps.length
  for (let i = 0; i < steps.length; i++) if (!steps[i]!.settles) runStep(st, steps[i]!, i)
  const tagsChanged = st.tags !== joined
  return {
    zh: st.zh,
    en: st.en,
    tags: tagsChanged ? splitTags(st.tags) : item.tags,
    counts: st.counts ?? NO_COUNTS,
    changed: st.zh !== item.zh || st.en !== item.en || tagsChanged,
    held: st.held?.size ? [...st.held.values()].sort((a, b) => a.at - b.at).map(stripAt) : NO_HELD
  }
}

const NONE = Number.MAX_SAFE_INTEGER

function stripAt({ at: _at, ...h }: HeldStep & { at: number }): HeldStep {
  return h
}

/** one item's fields as the steps leave them, with what was counted and held so far */
interface RunState {
  guard: boolean
  zh: string
  en: string
  tags: string
  counts: Record<string, number> | undefined
  /** by step id and field: a step's latest verdict on a field replaces its earlier one */
  held: Map<string, HeldStep & { at: number }> | undefined
  /** per field: the kinds of characters it holds (chars.ts), -1 until needed */
  mask: Record<Field, number>
  /** per field: the steps before this index ran on text that changed after them */
  stale: Record<Field, number>
  /** per field: the first and last step that changed it in this pass */
  first: Record<Field, number>
  last: Record<Field, number>
}

/**
 * Runs step `i` on each of its fields that it has not seen as it now is: it ran before the
 * field's last change, or the field changed earlier in this pass.
 */
function runStep(st: RunState, step: CompiledStep, i: number): void {
  for (const f of step.fields) {
    const before = st[f]
    if (before === '' || (i >= st.stale[f] && i <= st.first[f])) continue
    let r: RuleResult | undefined
    if (step.needs === undefined) r = step.apply(before, f, step.options)
    else {
      if (st.mask[f] < 0) st.mask[f] = charMask(before)
      if (mayNeed(step.needs, f, st.mask[f])) r = step.apply(before, f, step.options)
    }
    if (r === undefined || r.count <= 0 || r.text === before) {
      if (st.held?.size) st.held.delete(`${step.id}\u0000${f}`)
      continue
    }
    const v = st.guard ? guardStep(before, r.text, f, !step.keepsContent) : null
    if (v) {
      const at = i * 3 + FIELDS.indexOf(f) // pipeline order
      const h = { rule: step.id, label: step.label, field: f, ...v, before, after: r.text, at }
      ;(st.held ??= new Map()).set(`${step.id}\u0000${f}`, h)
      continue
    }
    if (st.held?.size) st.held.delete(`${step.id}\u0000${f}`)
    st[f] = r.text
    st.mask[f] = -1
    st.counts ??= {}
    st.counts[step.id] = (st.counts[step.id] ?? 0) + r.count
    if (st.first[f] === NONE) st.first[f] = i
    st.last[f] = i
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
  /** most items with held steps to list (default: `limit`) */
  heldLimit?: number
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
  const heldLimit = opts.heldLimit ?? limit
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
      if (held.length < heldLimit) held.push({ id: c.id, steps: r.held })
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
