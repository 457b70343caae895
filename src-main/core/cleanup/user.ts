/**
 * User-defined find/replace rules. A literal rule replaces every occurrence (optionally ignoring
 * case). A regex rule is validated before it runs:
 *  - it must compile, with flags from "imsu" (g is always on);
 *  - the pattern is at most 500 characters;
 *  - it runs on the linear-time engine (core/regex: RE2 semantics, JavaScript syntax), so no
 *    pattern — (a+)+$, (a|aa)+$ — can hold a write transaction: what that engine cannot run
 *    (backreferences, lookahead) is refused here, when the rule is saved, with the reason.
 */
import { GlossaError } from '../../shared/errors'
import { compileUserRegex as compileLinear, escapeLiteral, type UserRegex } from '../regex'
import type { CompiledStep, Field, UserRule } from './types'
import { FIELDS } from './types'

export const MAX_PATTERN = 500
const ALLOWED_FLAGS = /^[imsu]*$/

function invalid(rule: UserRule, reason: string): GlossaError {
  const name = rule.label ?? rule.id
  return new GlossaError('INVALID_ARGS', `Rule "${name}": ${reason}`, { rule: rule.id, reason })
}

/** Validates a user rule and returns its compiled pattern. Throws INVALID_ARGS with the reason. */
export function compileUserRegex(rule: UserRule): UserRegex {
  if (rule.find === '') throw invalid(rule, 'the text to find is empty')
  const flags = (rule.flags ?? '').replace(/g/g, '')
  if (!ALLOWED_FLAGS.test(flags))
    throw invalid(rule, `unsupported flags "${rule.flags}" (use i, m, s, u)`)
  const unique = [...new Set(flags)].join('')
  if (!rule.regex) return compileLinear(escapeLiteral(rule.find), unique.includes('i') ? 'i' : '')
  if (rule.find.length > MAX_PATTERN)
    throw invalid(rule, `the pattern is longer than ${MAX_PATTERN} characters`)
  let re: UserRegex
  try {
    re = compileLinear(rule.find, unique, 'the pattern')
  } catch (err) {
    const reason =
      err instanceof GlossaError
        ? String((err.details as { reason?: string })?.reason)
        : String(err)
    throw invalid(rule, reason)
  }
  if (re.test(''))
    throw invalid(rule, 'the pattern matches empty text, so it would insert at every position')
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
      // A regex rule gets JavaScript's $1 / $<name> / $& expansion; a literal is inserted as is.
      const r = rule.regex ? re.replace(text, rule.replace) : re.replaceLiteral(text, rule.replace)
      return r.count === 0 || r.text === text ? { text, count: 0 } : r
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
