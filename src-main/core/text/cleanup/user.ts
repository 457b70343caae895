/**
 * User-defined find/replace rules. A literal rule replaces every occurrence (optionally ignoring
 * case). A regex rule is validated before it runs:
 *  - it must compile, with flags from "imsu" (g is always on);
 *  - the pattern is at most 500 characters;
 *  - catastrophic backtracking is guarded STATICALLY: a quantified group that itself contains an
 *    unbounded or repeating quantifier — (a+)+, (\w*)*, (x+y?){2,} — is rejected ("nested
 *    quantifiers"). JavaScript regexes cannot be interrupted, so a time limit would need a worker
 *    per rule; the static rule catches the classic exponential shapes at edit time instead.
 *    Overlapping alternations such as (a|a)* are not detected.
 */
import { GlossaError } from '../../../shared/errors'
import type { CompiledStep, Field, UserRule } from './types'
import { FIELDS } from './types'

export const MAX_PATTERN = 500
const ALLOWED_FLAGS = /^[imsu]*$/

interface GroupScan {
  quantified: boolean
}

/** Returns a reason when a pattern has a quantified group containing a repeating quantifier. */
export function nestedQuantifier(pattern: string): string | null {
  const stack: GroupScan[] = []
  /** whether the most recent closed group had a repeating quantifier inside */
  let lastGroupInner = false
  let lastWasGroup = false
  let i = 0
  const mark = (): void => {
    for (const g of stack) g.quantified = true
  }
  /** length of a quantifier at i, and whether it repeats (more than once) */
  const quant = (at: number): { len: number; repeats: boolean } | null => {
    const c = pattern[at]
    if (c === '*' || c === '+') return { len: pattern[at + 1] === '?' ? 2 : 1, repeats: true }
    if (c === '?') return { len: 1, repeats: false }
    if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}\??/.exec(pattern.slice(at))
      if (!m) return null
      const lo = Number(m[1])
      const hi =
        m[2] === undefined ? lo : m[3] === '' || m[3] === undefined ? Infinity : Number(m[3])
      return { len: m[0].length, repeats: hi > 1 }
    }
    return null
  }
  while (i < pattern.length) {
    const c = pattern[i]
    if (c === '\\') {
      i += 2
      lastWasGroup = false
      continue
    }
    if (c === '[') {
      i++
      while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1
      i++
      lastWasGroup = false
      continue
    }
    if (c === '(') {
      stack.push({ quantified: false })
      i++
      lastWasGroup = false
      continue
    }
    if (c === ')') {
      const g = stack.pop()
      lastGroupInner = g?.quantified ?? false
      if (lastGroupInner) mark()
      lastWasGroup = true
      i++
      continue
    }
    const q = quant(i)
    if (q) {
      if (q.repeats) {
        if (lastWasGroup && lastGroupInner) {
          return `nested quantifiers at position ${i}: a repeated group that itself repeats can take exponential time`
        }
        mark()
      }
      i += q.len
      lastWasGroup = false
      continue
    }
    lastWasGroup = false
    i++
  }
  return null
}

function invalid(rule: UserRule, reason: string): GlossaError {
  const name = rule.label ?? rule.id
  return new GlossaError('INVALID_ARGS', `Rule "${name}": ${reason}`, { rule: rule.id, reason })
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** Validates a user rule and returns its compiled regex. Throws INVALID_ARGS with the reason. */
export function compileUserRegex(rule: UserRule): RegExp {
  if (rule.find === '') throw invalid(rule, 'the text to find is empty')
  const flags = (rule.flags ?? '').replace(/g/g, '')
  if (!ALLOWED_FLAGS.test(flags))
    throw invalid(rule, `unsupported flags "${rule.flags}" (use i, m, s, u)`)
  const unique = [...new Set(flags)].join('')
  if (!rule.regex) return new RegExp(escapeRe(rule.find), 'g' + (unique.includes('i') ? 'iu' : 'u'))
  if (rule.find.length > MAX_PATTERN)
    throw invalid(rule, `the pattern is longer than ${MAX_PATTERN} characters`)
  let re: RegExp
  try {
    re = new RegExp(rule.find, 'g' + unique)
  } catch (err) {
    throw invalid(
      rule,
      `invalid regular expression: ${err instanceof Error ? err.message : String(err)}`
    )
  }
  const nested = nestedQuantifier(rule.find)
  if (nested) throw invalid(rule, nested)
  if (re.test(''))
    throw invalid(rule, 'the pattern matches empty text, so it would insert at every position')
  re.lastIndex = 0
  return re
}

export function compileUserRule(rule: UserRule): CompiledStep {
  const re = compileUserRegex(rule)
  const fields: readonly Field[] = rule.fields?.length ? rule.fields : ['zh', 'en']
  for (const f of fields)
    if (!FIELDS.includes(f)) throw invalid(rule, `unknown field "${String(f)}"`)
  return {
    id: `user:${rule.id}`,
    label: rule.label ?? `Rule "${rule.id}"`,
    fields,
    options: {},
    // a replacement rewrites; only a rule that replaces with nothing removes content
    keepsContent: rule.replace !== '',
    settles: false,
    apply(text) {
      re.lastIndex = 0
      const count = text.match(re)?.length ?? 0
      if (count === 0) return { text, count: 0 }
      re.lastIndex = 0
      // A regex rule gets JavaScript's $1 / $<name> / $& expansion; a literal is inserted as is.
      const out = rule.regex ? text.replace(re, rule.replace) : text.replace(re, () => rule.replace)
      return out === text ? { text, count: 0 } : { text: out, count }
    }
  }
}

/** Live test for the rule editor: the result on a sample, or the validation error. */
export function testUserRule(
  rule: UserRule,
  sample: string
): { ok: true; output: string; count: number } | { ok: false; error: string } {
  try {
    const step = compileUserRule(rule)
    const r = step.apply(sample, 'en', {})
    return { ok: true, output: r.text, count: r.count }
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) }
  }
}
