/**
 * User-supplied regular expressions (bulk replace, cleanup rules, glossary triggers) run on RE2
 * semantics through `re2js`, a pure-JavaScript port of RE2: matching takes time linear in the
 * text (times the pattern's size), whatever the pattern — `(a+)+$`, `(a|aa)+$` and
 * `(\w+\s?)*$` cannot backtrack because nothing backtracks. No native build, so it runs the same
 * in Node, Electron and a worker thread.
 *
 * Patterns are written in JavaScript syntax, as users know it; what RE2 spells differently is
 * translated (`\uXXXX`, `\u{…}`, JavaScript's Unicode `\s` and `.`), and what a linear-time
 * engine cannot do is refused when the pattern is saved or previewed, with the reason:
 * backreferences (`\1`, `\k<name>`), lookahead (`(?=…)`, `(?!…)`), possessive and atomic forms.
 * Lookbehind (`(?<=…)`, `(?<!…)`) is kept: re2js runs captureless lookbehinds in linear time.
 * Flags: i, m, s (g and u are implied). Limits: MAX_PATTERN_CHARS characters and a compiled
 * program of at most MAX_PROGRAM instructions (so the per-character cost is bounded too).
 */
import { RE2JS } from 're2js'
import { GlossaError } from '../../shared/errors'

export const MAX_PATTERN_CHARS = 1000
export const MAX_PROGRAM = 5000
const FLAG_BITS: Record<string, number> = {
  i: RE2JS.CASE_INSENSITIVE,
  m: RE2JS.MULTILINE,
  s: RE2JS.DOTALL
}
/** JavaScript's \s: ASCII white space plus the Unicode spaces (U+3000 ideographic space, NBSP…). */
const JS_SPACE =
  '\\t\\n\\x{0B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}'
/** JavaScript's `.` without the s flag: anything but a line terminator. */
const JS_DOT = '[^\\n\\r\\x{2028}\\x{2029}]'

/** One match: where it is, and where each group is (null: the group did not take part). */
export interface UserMatch {
  start: number
  end: number
  group(n: number): [number, number] | null
  named(name: string): [number, number] | null
  groupCount: number
  /** whether the pattern has named groups ($<name> in a template refers to them only then) */
  hasNamedGroups: boolean
}

/** A compiled user pattern. Stateless: safe to reuse across texts and calls. */
export class UserRegex {
  constructor(
    readonly source: string,
    readonly flags: string,
    private readonly re: RE2JS
  ) {}

  /** Whether the pattern matches anywhere in `text` (the DFA, no groups: the fastest path). */
  test(text: string): boolean {
    return this.re.test(text)
  }

  /** Every non-overlapping match, left to right (JavaScript's matchAll order and empty-match rule). */
  *matches(text: string): Generator<UserMatch> {
    const m = this.re.matcher(text)
    const names = this.re.namedGroups() as Record<string, number>
    const groupCount = this.re.groupCount()
    const hasNamedGroups = Object.keys(names).length > 0
    while (m.find()) {
      const start = m.start()
      const end = m.end()
      const spans: ([number, number] | null)[] = []
      for (let g = 0; g <= groupCount; g++) {
        const s = m.start(g)
        spans.push(s < 0 ? null : [s, m.end(g)])
      }
      yield {
        start,
        end,
        groupCount,
        hasNamedGroups,
        group: (n) => spans[n] ?? null,
        named: (name) => (Object.hasOwn(names, name) ? (spans[names[name]!] ?? null) : null)
      }
    }
  }

  /**
   * Replaces every match, expanding `template` as String.prototype.replace does ($&, $1…$99,
   * $<name>, $$, $`, $'). Returns the text and how many matches there were.
   */
  replace(text: string, template: string): { text: string; count: number } {
    let out = ''
    let last = 0
    let count = 0
    for (const m of this.matches(text)) {
      out += text.slice(last, m.start) + expandReplacement(template, text, m)
      last = m.end
      count++
    }
    return count ? { text: out + text.slice(last), count } : { text, count: 0 }
  }

  /** Replaces every match by `replacement` literally. */
  replaceLiteral(text: string, replacement: string): { text: string; count: number } {
    let count = 0
    const out = this.re.matcher(text).replaceAll(() => {
      count++
      return replacement
    })
    return { text: count ? out : text, count }
  }
}

function span(text: string, s: [number, number] | null): string | undefined {
  return s ? text.slice(s[0], s[1]) : undefined
}

/**
 * Expands a String.prototype.replace template ($$, $&, $`, $', $1…$99, $<name>) for one match,
 * taking every piece from `text` by the match's spans (`text` may be the original of a folded
 * copy the match was found in: the spans index both).
 */
export function expandReplacement(tpl: string, text: string, m: UserMatch): string {
  const { start, end } = m
  if (!tpl.includes('$')) return tpl
  let out = ''
  for (let i = 0; i < tpl.length; i++) {
    const c = tpl[i]!
    if (c !== '$' || i === tpl.length - 1) {
      out += c
      continue
    }
    const n = tpl[i + 1]!
    if (n === '$') {
      out += '$'
      i++
    } else if (n === '&') {
      out += text.slice(start, end)
      i++
    } else if (n === '`') {
      out += text.slice(0, start)
      i++
    } else if (n === "'") {
      out += text.slice(end)
      i++
    } else if (n === '<' && m.hasNamedGroups) {
      const close = tpl.indexOf('>', i + 2)
      if (close < 0) {
        out += c
        continue
      }
      out += span(text, m.named(tpl.slice(i + 2, close))) ?? ''
      i = close
    } else if (n >= '0' && n <= '9') {
      const groups = m.groupCount
      const two = tpl[i + 2]
      const nn = two !== undefined && two >= '0' && two <= '9' ? Number(n + two) : NaN
      if (!Number.isNaN(nn) && nn >= 1 && nn <= groups) {
        out += span(text, m.group(nn)) ?? ''
        i += 2
      } else if (Number(n) >= 1 && Number(n) <= groups) {
        out += span(text, m.group(Number(n))) ?? ''
        i++
      } else out += c
    } else out += c
  }
  return out
}

/** What a pattern uses that RE2 cannot run, as a sentence; null when nothing. */
function unsupported(source: string): string | null {
  // scan outside character classes
  let inClass = false
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!
    if (c === '\\') {
      const n = source[i + 1] ?? ''
      if (!inClass && /[1-9]/.test(n))
        return `the backreference \\${n} is not supported (a linear-time engine cannot match text against an earlier group)`
      if (!inClass && n === 'k' && source[i + 2] === '<')
        return 'named backreferences (\\k<name>) are not supported (a linear-time engine cannot match text against an earlier group)'
      i++
      continue
    }
    if (inClass) {
      if (c === ']') inClass = false
      continue
    }
    if (c === '[') {
      inClass = true
      if (source[i + 1] === '^') i++
      if (source[i + 1] === ']') i++
      continue
    }
    if (c === '(' && source[i + 1] === '?') {
      const k = source[i + 2]
      if (k === '=' || k === '!')
        return `lookahead (?${k}…) is not supported (Glossa runs patterns on a linear-time engine, RE2); match the text itself instead, or use a group`
      if (k === '>') return 'atomic groups (?>…) are not supported (RE2 syntax)'
    }
    if ((c === '+' || c === '*' || c === '?' || c === '}') && source[i + 1] === '+')
      return 'possessive quantifiers (a++, a*+) are not supported (RE2 syntax; they are not needed: nothing backtracks)'
  }
  return null
}

/** JavaScript spellings that RE2 writes differently, translated (character classes respected). */
export function translate(source: string, dotAll: boolean): string {
  let out = ''
  let inClass = false
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!
    if (c === '\\') {
      const n = source[i + 1]
      if (n === undefined) {
        out += c
        continue
      }
      if (n === 'u') {
        const braced = /^\{([0-9a-fA-F]{1,6})\}/.exec(source.slice(i + 2))
        if (braced) {
          out += `\\x{${braced[1]}}`
          i += 2 + braced[0].length - 1
          continue
        }
        const four = /^[0-9a-fA-F]{4}/.exec(source.slice(i + 2))
        if (four) {
          out += `\\x{${four[0]}}`
          i += 5
          continue
        }
      }
      if (n === 's') {
        out += inClass ? JS_SPACE : `[${JS_SPACE}]`
        i++
        continue
      }
      if (n === 'S' && !inClass) {
        out += `[^${JS_SPACE}]`
        i++
        continue
      }
      if (n === '/') {
        out += '/'
        i++
        continue
      }
      out += c + n
      i++
      continue
    }
    if (inClass) {
      if (c === ']') inClass = false
      out += c
      continue
    }
    if (c === '[') {
      inClass = true
      out += c
      if (source[i + 1] === '^') out += source[++i]
      if (source[i + 1] === ']') out += source[++i]
      continue
    }
    if (c === '.' && !dotAll) {
      out += JS_DOT
      continue
    }
    out += c
  }
  return out
}

function clean(message: string): string {
  return message.replace(/^error parsing regexp:\s*/i, '')
}

/**
 * Compiles a user pattern (JavaScript syntax, flags from "imsgu") on the linear-time engine.
 * Throws INVALID_ARGS with the reason: too long, unsupported construct, syntax error, too complex.
 * `what` names the pattern in messages ('the pattern', 'Rule "x"', …).
 */
export function compileUserRegex(source: string, flags = '', what = 'the pattern'): UserRegex {
  const fail = (reason: string): GlossaError =>
    new GlossaError('INVALID_ARGS', `${what}: ${reason}`, { pattern: source.slice(0, 200), reason })
  if (source.length > MAX_PATTERN_CHARS)
    throw fail(`the pattern is longer than ${MAX_PATTERN_CHARS} characters`)
  let bits = RE2JS.LOOKBEHINDS
  for (const f of new Set(flags)) {
    if (f === 'g' || f === 'u') continue
    const b = FLAG_BITS[f]
    if (b === undefined) throw fail(`unsupported flag "${f}" (use i, m, s)`)
    bits |= b
  }
  const why = unsupported(source)
  if (why) throw fail(why)
  let re: RE2JS
  try {
    re = RE2JS.compile(translate(source, flags.includes('s')), bits)
  } catch (err) {
    throw fail(
      `invalid regular expression: ${clean(err instanceof Error ? err.message : String(err))}`
    )
  }
  if (re.programSize() > MAX_PROGRAM)
    throw fail(
      `the pattern is too complex (${re.programSize()} steps compiled; the limit is ${MAX_PROGRAM}): use smaller repeat counts`
    )
  const canonical = [...new Set(flags)].filter((f) => f in FLAG_BITS).join('')
  return new UserRegex(source, canonical, re)
}

/** The reason a pattern is refused, or null when it compiles. */
export function userRegexError(source: string, flags = '', what = 'the pattern'): string | null {
  try {
    compileUserRegex(source, flags, what)
    return null
  } catch (err) {
    return err instanceof Error ? err.message : String(err)
  }
}

/** A literal string as a pattern that matches exactly it. */
export function escapeLiteral(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/]/g, (c) => `\\${c}`)
}
