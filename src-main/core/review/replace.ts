/**
 * Find/replace for bulk edits: literal or regex, optionally case-insensitive and width-insensitive
 * (全角/半角). Matching runs on a width-folded copy of the text — folding maps one UTF-16 unit to
 * one unit, so match indices are indices into the original — and the output is rebuilt from the
 * ORIGINAL text: only matched spans change, everything else is kept byte for byte. In regex mode
 * the replacement template ($$, $&, $`, $', $1…$99, $<name>) is expanded with the original text's
 * groups. Patterns run on the linear-time engine (core/regex: RE2 semantics, JavaScript syntax),
 * so no pattern can stall the preview or the write transactions of apply.
 */
import { toHalfWidth } from '../captions/text/width'
import { compileUserRegex, escapeLiteral, expandReplacement } from '../regex'

export interface ReplaceSpec {
  find: string
  replace: string
  regex: boolean
  caseInsensitive: boolean
  widthInsensitive: boolean
}

export type Replacer = (text: string) => string

const SYNTAX = new Set('^$\\.*+?()[]{}|/'.split(''))

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
  const re = compileUserRegex(pattern, spec.caseInsensitive ? 'i' : '', 'the find pattern')
  const literal = !spec.regex
  return (text) => {
    const hay = spec.widthInsensitive ? toHalfWidth(text) : text
    let out = ''
    let last = 0
    let changed = false
    for (const m of re.matches(hay)) {
      const rep = literal ? spec.replace : expandReplacement(spec.replace, text, m)
      out += text.slice(last, m.start) + rep
      last = m.end
      changed = true
    }
    if (!changed) return text
    return out + text.slice(last)
  }
}
