/**
 * What a trainer trains on, given the caption text it read: a reimplementation of sd-scripts'
 * BaseDataset.process_caption (library/train_util.py) and mgds' ShuffleTags, reduced to a form
 * without randomness so it can be compared with the plan's intended caption:
 *  - a verbatim text, when nothing is shuffled;
 *  - tokens (fixed head, a multiset of shuffled tokens, fixed tail) when shuffle is on.
 * Random choices (a random line with enable_wildcard, `{a|b}` wildcards, a random OneTrainer line)
 * become a SET of such forms: the caption trains as one of them per step.
 *
 * Nothing here is shared with the exporter's writers (core/export/config.ts, caption.ts).
 */
import { pyStrip } from './python'

export type Form =
  | { kind: 'text'; text: string }
  | { kind: 'tokens'; fixed: string[]; flex: string[]; suffix: string[] }

/** sd-scripts subset options that change the caption (CU BaseSubsetParams / DreamBoothSubset). */
export interface SdCaptionConfig {
  enableWildcard: boolean
  /** shuffle_caption, or token_warmup_step > 0, or caption_tag_dropout_rate > 0 */
  shuffle: boolean
  captionSeparator: string
  keepTokens: number
  keepTokensSeparator: string | null
  secondarySeparator: string | null
  captionPrefix: string | null
  captionSuffix: string | null
}

/** The widest a wildcard expansion is enumerated (more means "random", reported as such). */
const MAX_VARIANTS = 256

/**
 * TU process_caption, wildcard part: `{{`/`}}` become placeholders (longer ones while the text
 * already holds them), every `{a|b|c}` (regex `\{([^}]+)\}`) a random choice, placeholders back
 * to braces. Returns every text the line can become.
 */
export function expandWildcards(line: string): string[] {
  let r1 = '⦅'
  let r2 = '⦆'
  while (line.includes(r1) || line.includes(r2)) {
    r1 += '⦅'
    r2 += '⦆'
  }
  const escaped = line.replaceAll('{{', r1).replaceAll('}}', r2)
  let outs = ['']
  let last = 0
  for (const m of escaped.matchAll(/\{([^}]+)\}/g)) {
    const lit = escaped.slice(last, m.index)
    const choices = (m[1] as string).split('|')
    const next: string[] = []
    for (const o of outs)
      for (const c of choices) if (next.length < MAX_VARIANTS) next.push(o + lit + c)
    outs = next
    last = m.index + m[0].length
  }
  const tail = escaped.slice(last)
  return [...new Set(outs.map((o) => (o + tail).replaceAll(r1, '{').replaceAll(r2, '}')))]
}

/** sd-scripts' shuffle branch: fixed / flex / fixed-suffix tokens (empty tokens carry nothing). */
function sdTokens(caption: string, cfg: SdCaptionConfig): Form {
  const sep = cfg.captionSeparator
  const toks = (s: string): string[] =>
    s
      .split(sep)
      .map(pyStrip)
      .filter((t) => t !== '')
  const kts = cfg.keepTokensSeparator
  let fixed: string[] = []
  let flex: string[]
  let suffix: string[] = []
  if (kts && caption.includes(kts)) {
    const i = caption.indexOf(kts)
    const fixedPart = caption.slice(0, i)
    let flexPart = caption.slice(i + kts.length)
    if (flexPart.includes(kts)) {
      const j = flexPart.indexOf(kts)
      suffix = toks(flexPart.slice(j + kts.length))
      flexPart = flexPart.slice(0, j)
    }
    fixed = toks(fixedPart)
    flex = toks(flexPart)
  } else {
    const tokens = pyStrip(caption).split(sep).map(pyStrip)
    flex = tokens
    if (cfg.keepTokens > 0) {
      fixed = tokens.slice(0, cfg.keepTokens)
      flex = tokens.slice(cfg.keepTokens)
    }
    fixed = fixed.filter((t) => t !== '')
    flex = flex.filter((t) => t !== '')
  }
  const sec = (t: string): string =>
    cfg.secondarySeparator ? t.replaceAll(cfg.secondarySeparator, cfg.captionSeparator) : t
  return { kind: 'tokens', fixed: fixed.map(sec), flex: flex.map(sec), suffix: suffix.map(sec) }
}

/** Everything sd-scripts can train on for a caption it read (no dropout, no TI replacements). */
export function sdTrained(caption: string, cfg: SdCaptionConfig): Form[] {
  let c = caption
  if (cfg.captionPrefix) c = cfg.captionPrefix + ' ' + c
  if (cfg.captionSuffix) c = c + ' ' + cfg.captionSuffix
  let texts: string[]
  if (cfg.enableWildcard) {
    const lines = c.includes('\n') ? c.split('\n') : [c]
    texts = lines.flatMap(expandWildcards)
  } else texts = [c.split('\n')[0] as string]
  return texts.map((t) => {
    if (cfg.shuffle) return sdTokens(t, cfg)
    const text = cfg.secondarySeparator
      ? t.replaceAll(cfg.secondarySeparator, cfg.captionSeparator)
      : t
    return { kind: 'text', text }
  })
}

/** mgds ShuffleTags: split on the delimiter, strip, the first keep_tags_count stay first. */
export function oneTrainerTrained(
  text: string,
  shuffle: { delimiter: string; keep: number } | null
): Form {
  if (!shuffle) return { kind: 'text', text }
  const tags = text.split(shuffle.delimiter).map(pyStrip)
  return {
    kind: 'tokens',
    fixed: tags.slice(0, shuffle.keep).filter((t) => t !== ''),
    flex: tags.slice(shuffle.keep).filter((t) => t !== ''),
    suffix: []
  }
}

export function formText(f: Form): string {
  if (f.kind === 'text') return f.text
  const parts = [f.fixed.join(', '), `{${f.flex.join(', ')}} shuffled`]
  if (f.suffix.length) parts.push(f.suffix.join(', '))
  return parts.filter(Boolean).join(' + ')
}

/**
 * Whether a trained form is the intended text. Tokens: the intended text split the way the
 * trainer splits it; the trainer's fixed head must be the intended text's first tokens and hold
 * at least the intended fixed (trigger) tokens, its tail the last ones, and the shuffled middle
 * the same multiset.
 */
export function formMatches(
  f: Form,
  intendedText: string,
  intendedFixed: string,
  separator: string
): boolean {
  if (f.kind === 'text') return f.text === intendedText
  const split = (s: string): string[] =>
    s
      .split(separator)
      .map(pyStrip)
      .filter((t) => t !== '')
  const all = split(intendedText)
  const mustFix = intendedFixed === '' ? 0 : split(intendedFixed).length
  if (f.fixed.length < mustFix) return false
  if (f.fixed.length + f.flex.length + f.suffix.length !== all.length) return false
  for (const [i, t] of f.fixed.entries()) if (all[i] !== t) return false
  const tailStart = all.length - f.suffix.length
  for (const [i, t] of f.suffix.entries()) if (all[tailStart + i] !== t) return false
  const middle = all.slice(f.fixed.length, tailStart).sort()
  const flex = [...f.flex].sort()
  return middle.every((t, i) => t === flex[i])
}
