/** The rule registry, presets, pipeline compilation, one-item runs and the preview over many. */
import { diffArrays, diffChars, diffWordsWithSpace } from 'diff'
import { GlossaError } from '../../shared/errors'
import { boilerplateRule, creditsRule } from './boilerplate'
import { budgetRule } from './budget'
import { kohyaCaptionRule, kohyaTagsRule } from './kohya'
import { punctuationRule, repeatedSentenceRule, traditionalRule, whitespaceRule } from './normalise'
import {
  blacklistRule,
  dedupeRule,
  genericRule,
  ratingRule,
  replaceRule,
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
    boilerplateRule,
    creditsRule,
    kohyaTagsRule,
    kohyaCaptionRule,
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

export const PRESETS = {
  'web-scrape': [
    'html-tags',
    'html-entities',
    'url',
    'email',
    'mention',
    'hashtag',
    'emoji',
    'credits',
    'boilerplate',
    'whitespace'
  ],
  kohya: ['kohya-tags', 'kohya-caption'],
  tags: [
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
    steps.push({ id: rule.id, label: rule.label, fields, options, apply: rule.apply })
  })
  for (const u of spec.userRules ?? []) {
    if (u.enabled === false) continue
    steps.push(compileUserRule(u))
  }
  return { steps }
}

export interface CleanedItem {
  zh: string
  en: string
  tags: string[]
  /** per rule id: how many things it changed in this item */
  counts: Record<string, number>
  changed: boolean
}

export function runItem(item: CleanupItem, pipeline: CompiledPipeline): CleanedItem {
  const joined = joinTags(item.tags)
  const cur: Record<Field, string> = { zh: item.zh, en: item.en, tags: joined }
  const counts: Record<string, number> = {}
  for (const step of pipeline.steps) {
    for (const f of step.fields) {
      const before = cur[f]
      if (before === '') continue
      const r = step.apply(before, f, step.options)
      if (r.count > 0 && r.text !== before) {
        cur[f] = r.text
        counts[step.id] = (counts[step.id] ?? 0) + r.count
      }
    }
  }
  const tagsChanged = cur.tags !== joined
  const tags = tagsChanged ? splitTags(cur.tags) : item.tags
  return {
    zh: cur.zh,
    en: cur.en,
    tags,
    counts,
    changed: cur.zh !== item.zh || cur.en !== item.en || tagsChanged
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
  counts: Record<string, number>
  diff?: { zh?: DiffPart[]; en?: DiffPart[]; tags?: DiffPart[] }
}

export interface PreviewTotal {
  rule: string
  label: string
  /** things changed over all items */
  count: number
  /** items the rule changed */
  items: number
}

export interface CleanupPreview {
  scanned: number
  changed: number
  totals: PreviewTotal[]
  items: PreviewItem[]
  /** true when more items changed than `limit` allowed to list */
  truncated: boolean
}

export interface PreviewOptions {
  /** most changed items to list with before/after (totals always cover every item) */
  limit?: number
  /** compute diffs for the listed items (default true) */
  diff?: boolean
}

function parts<T>(
  changes: Array<{ added: boolean; removed: boolean; value: T }>,
  join: (v: T) => string
): DiffPart[] {
  return changes.map((c) => ({ op: c.added ? '+' : c.removed ? '-' : '=', text: join(c.value) }))
}

/** Runs a pipeline over captions and reports the changed ones with per-rule counts. */
export function previewCleanup(
  captions: Iterable<CleanupItem>,
  pipeline: PipelineSpec | CompiledPipeline,
  opts: PreviewOptions = {}
): CleanupPreview {
  const compiled =
    'userRules' in pipeline || !isCompiled(pipeline)
      ? compilePipeline(pipeline as PipelineSpec)
      : pipeline
  const limit = opts.limit ?? Infinity
  const totals = new Map<string, PreviewTotal>()
  for (const s of compiled.steps)
    totals.set(s.id, { rule: s.id, label: s.label, count: 0, items: 0 })
  const items: PreviewItem[] = []
  let scanned = 0
  let changed = 0
  for (const c of captions) {
    scanned++
    const r = runItem(c, compiled)
    if (!r.changed) continue
    changed++
    for (const [rule, n] of Object.entries(r.counts)) {
      const t = totals.get(rule)
      if (t) {
        t.count += n
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
    truncated: changed > items.length
  }
}

function isCompiled(p: PipelineSpec | CompiledPipeline): p is CompiledPipeline {
  return p.steps.every((s) => typeof (s as CompiledStep).apply === 'function')
}
