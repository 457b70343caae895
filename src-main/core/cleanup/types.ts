import type { Needs } from './chars'

/**
 * Cleanup rules are pure functions over plain strings. A caption item has three fields: the zh
 * and en flat texts and the tag list. Tag rules see the tags as one string joined by ", " (the
 * form kohya's clean_captions_and_tags works on); see tagtext.ts.
 */
export type Field = 'zh' | 'en' | 'tags'
export const FIELDS: readonly Field[] = ['zh', 'en', 'tags']

export type RuleOptions = Record<string, unknown>

export interface RuleResult {
  text: string
  /** how many things this rule changed (URLs removed, tags dropped, …); 0 = untouched */
  count: number
}

export interface Rule {
  id: string
  /** short English label for counts in a preview ("URLs removed") */
  label: string
  /** the fields the rule runs on unless a step narrows them */
  fields: readonly Field[]
  /** rules that are off unless a step turns them on (e.g. 繁→简) */
  optIn?: boolean
  /**
   * the rule rewrites, moves or de-duplicates what is there rather than removing content
   * (whitespace, punctuation, 繁→简, repeated sentences, the length budget): the guard judges its
   * results on emptiness only (guard.ts)
   */
  keepsContent?: boolean
  /**
   * the kinds of characters (chars.ts) a text needs for the rule to change it, any one of them:
   * the pipeline does not call the rule on text without any
   */
  needs?: Needs
  apply(text: string, field: Field, opts: RuleOptions): RuleResult
}

/** One entry of a pipeline: a built-in rule id with options, or a user rule. */
export interface PipelineStep {
  rule: string
  enabled?: boolean
  fields?: Field[]
  options?: RuleOptions
}

/** A user-defined find/replace, saved per dataset. */
export interface UserRule {
  id: string
  label?: string
  find: string
  replace: string
  regex: boolean
  /** regex flags from "imsu" (g is implied); for literals only "i" matters */
  flags?: string
  fields?: Field[]
  enabled?: boolean
}

export interface PipelineSpec {
  steps: PipelineStep[]
  userRules?: UserRule[]
}

export interface CleanupItem {
  id: number
  zh: string
  en: string
  tags: string[]
}

export interface CompiledStep {
  id: string
  label: string
  fields: readonly Field[]
  options: RuleOptions
  /** see Rule.keepsContent */
  keepsContent: boolean
  /**
   * built-in rules settle: the pipeline runs them again while a pass changes something, so one run
   * is a fixed point. User rules need not be idempotent ("cat" → "cats") and run once, after.
   */
  settles: boolean
  /** see Rule.needs */
  needs?: Needs
  apply: Rule['apply']
}
