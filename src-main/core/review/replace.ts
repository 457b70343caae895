/**
 * Find/replace for bulk edits: literal or regex, optionally case-insensitive and width-insensitive
 * (全角/半角). Matching runs on a width-folded copy of the text — folding maps one UTF-16 unit to
 * one unit, so match indices are indices into the original — and the output is rebuilt from the
 * ORIGINAL text: only matched spans change, everything else is kept byte for byte. In regex mode
 * the replacement template ($$, $&, $`, $', $1…$99, $<name>) is expanded with the original text's
 * groups.
 */
import { GlossaError } from '../../shared/errors'
import { toHalfWidth } from '../captions/text/width'

export interface ReplaceSpec {
  find: string
  replace: string
  regex: boolean
  caseInsensitive: boolean
  widthInsensitive: boolean
}

export type Replacer = (text: string) => string

const SYNTAX = new Set('^$\\.*+?()[]{}|/'.split(''))

function escapeLiteral(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/]/g, (c) => `\\${c}`)
}

/** Folds full-width characters of a regex pattern to escaped half-width literals. */
function foldPattern(p: string): string {
  let out = ''
  for (let i = 0; i < p.length; i++) {
    const c = p.charCodeAt(i)
    const h = toHalfWidth(p[i]!)
    if (h === p[i] || c === 0x3000) out += c === 0x3000 ? ' ' : p[i]
    else out += SYNTAX.has(h) ? `\\${h}` : h
  }
  return out
}

export function compileReplace(spec: ReplaceSpec): Replacer {
  const body = spec.regex ? spec.find : escapeLiteral(spec.find)
  const pattern = spec.widthInsensitive ? foldPattern(body) : body
  let re: RegExp
  try {
    const d = spec.regex && spec.replace.includes('$') ? 'd' : ''
    re = new RegExp(pattern, `gu${d}${spec.caseInsensitive ? 'i' : ''}`)
  } catch (e) {
    throw new GlossaError('INVALID_ARGS', `bad regular expression: ${(e as Error).message}`)
  }
  const literal = !spec.regex
  return (text) => {
    const hay = spec.widthInsensitive ? toHalfWidth(text) : text
    re.lastIndex = 0
    let out = ''
    let last = 0
    let changed = false
    for (const m of hay.matchAll(re)) {
      const start = m.index
      const end = start + m[0].length
      const rep = literal ? spec.replace : expand(spec.replace, text, m, start, end)
      out += text.slice(last, start) + rep
      last = end
      changed = true
    }
    if (!changed) return text
    return out + text.slice(last)
  }
}

function group(text: string, m: RegExpExecArray | RegExpMatchArray, n: number): string | undefined {
  const span = m.indices?.[n]
  return span ? text.slice(span[0], span[1]) : undefined
}

/** Expands a String.prototype.replace template using the original text's spans. */
function expand(
  tpl: string,
  text: string,
  m: RegExpMatchArray,
  start: number,
  end: number
): string {
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
    } else if (n === '<' && m.groups) {
      const close = tpl.indexOf('>', i + 2)
      if (close < 0) {
        out += c
        continue
      }
      const name = tpl.slice(i + 2, close)
      const span = m.indices?.groups?.[name]
      out += span ? text.slice(span[0], span[1]) : ''
      i = close
    } else if (n >= '0' && n <= '9') {
      const groups = m.length - 1
      const two = tpl[i + 2]
      const nn = two !== undefined && two >= '0' && two <= '9' ? Number(n + two) : NaN
      if (!Number.isNaN(nn) && nn >= 1 && nn <= groups) {
        out += group(text, m, nn) ?? ''
        i += 2
      } else if (Number(n) >= 1 && Number(n) <= groups) {
        out += group(text, m, Number(n)) ?? ''
        i++
      } else out += c
    } else out += c
  }
  return out
}
