/**
 * Applying a glossary to captions: proposed new texts per image and language, a word-level diff
 * (Chinese by character) and the reasons (entry + trigger). Pure: it reads plain data and returns
 * plain data; writing the result as one undoable batch is the caller's job.
 *
 * Applying to its own output changes nothing: replaced aliases become canonical names, which are
 * patterns themselves and map to themselves; inserted names and prepended triggers are then
 * present, so they are not inserted again.
 */
import { diffChars, diffWordsWithSpace } from 'diff'
import type { CaptionFieldName, CaptionFields, Lang } from '../../shared/api'
import { parse, render } from '../captions/text/structured'
import {
  compileGlossary,
  findMentions,
  firedEntries,
  selectNameMentions,
  type CompiledGlossary,
  type GlossaryImage,
  type Mention,
  type Trigger
} from './matcher'
import { entryLabel, type GlossaryEntry } from './schema'
import { fold } from './script'

export interface ApplyImage extends GlossaryImage {
  fields?: { zh?: CaptionFields | null; en?: CaptionFields | null }
}

export interface DiffPart {
  op: '=' | '+' | '-'
  text: string
}

export interface LangChange {
  before: string
  after: string
  diff: DiffPart[]
  /** New fields when the caption had fields; undefined for a text-only caption. */
  fields?: CaptionFields
}

export type ApplyAction = 'replace' | 'insert' | 'prepend'
export interface ApplyReason {
  entryId: string
  entry: string
  lang: Lang
  action: ApplyAction
  /** What it changed: the alias replaced, or the text inserted. */
  detail: string
  triggers: Trigger[]
}

export interface Proposal {
  imageId: string
  zh?: LangChange
  en?: LangChange
  reasons: ApplyReason[]
}

const SEP: Record<Lang, string> = { zh: '，', en: ', ' }
const LIST_SEP: Record<Lang, string> = { zh: '、', en: ', ' }

/**
 * Word-level diff (zh: by character). The common head and tail are cut off first (at a word
 * boundary for en, never inside a surrogate pair), so the diff library only sees the changed
 * middle: a glossary edit touches a few words of a long caption.
 */
export function diffText(before: string, after: string, lang: Lang): DiffPart[] {
  const max = Math.min(before.length, after.length)
  let head = 0
  while (head < max && before.charCodeAt(head) === after.charCodeAt(head)) head++
  let tail = 0
  while (
    tail < max - head &&
    before.charCodeAt(before.length - 1 - tail) === after.charCodeAt(after.length - 1 - tail)
  ) {
    tail++
  }
  const cut = lang === 'zh' ? /[\uDC00-\uDFFF]/u : /\S/u
  while (head > 0 && (cut.test(before[head] ?? '') || cut.test(before[head - 1] ?? ''))) head--
  while (
    tail > 0 &&
    (cut.test(before[before.length - tail] ?? '') ||
      cut.test(before[before.length - tail - 1] ?? ''))
  ) {
    tail--
  }
  if (lang === 'zh') {
    while (head > 0 && /[\uD800-\uDBFF]/u.test(before[head - 1] ?? '')) head--
  }
  const a = before.slice(head, before.length - tail)
  const b = after.slice(head, after.length - tail)
  const mid = lang === 'zh' ? diffChars(a, b) : diffWordsWithSpace(a, b)
  const parts: DiffPart[] = []
  const push = (op: DiffPart['op'], text: string): void => {
    if (!text) return
    const last = parts[parts.length - 1]
    if (last && last.op === op) last.text += text
    else parts.push({ op, text })
  }
  push('=', before.slice(0, head))
  for (const c of mid) push(c.added ? '+' : c.removed ? '-' : '=', c.value)
  push('=', before.slice(before.length - tail))
  return parts
}

function replacementFor(e: GlossaryEntry, patternLang: Lang, textLang: Lang): string | undefined {
  return e.name[patternLang] ?? e.name[textLang] ?? e.name.zh ?? e.name.en
}

/** Rewrites the fired entries' alias mentions in one string; returns the text and what changed. */
function replaceIn(
  cg: CompiledGlossary,
  text: string,
  lang: Lang,
  fired: ReadonlySet<number>,
  note: (entry: number, action: ApplyAction, detail: string) => void
): string {
  const chosen = selectNameMentions(findMentions(cg, text), fired)
  let out = ''
  let pos = 0
  for (const m of chosen) {
    if (!fired.has(m.pattern.entry)) continue
    const e = cg.entries[m.pattern.entry] as GlossaryEntry
    const to = replacementFor(e, m.pattern.lang, lang)
    const from = text.slice(m.start, m.end)
    if (!to || to === from) continue
    out += text.slice(pos, m.start) + to
    pos = m.end
    note(m.pattern.entry, 'replace', `${from} → ${to}`)
  }
  return out + text.slice(pos)
}

/** Whether `text` already names the entry in `lang` (any case, width or script variant). */
function namesEntry(cg: CompiledGlossary, text: string, entry: number, lang: Lang): boolean {
  return findMentions(cg, text).some(
    (m) => m.pattern.entry === entry && m.pattern.kind === 'name' && m.pattern.lang === lang
  )
}

function insertInto(
  fields: CaptionFields,
  target: CaptionFieldName,
  what: string,
  lang: Lang
): CaptionFields {
  const cur = fields[target]?.trim()
  if (!cur) return { ...fields, [target]: what }
  const sep = target === 'subject' ? SEP[lang] : LIST_SEP[lang]
  return { ...fields, [target]: `${what}${sep}${cur}` }
}

export function applyToCaption(
  cg: CompiledGlossary,
  fired: Map<number, Trigger[]>,
  text: string,
  lang: Lang,
  givenFields: CaptionFields | null | undefined,
  reasons: ApplyReason[]
): { text: string; fields?: CaptionFields } {
  const firedSet = new Set(fired.keys())
  const note = (entry: number, action: ApplyAction, detail: string): void => {
    const e = cg.entries[entry] as GlossaryEntry
    reasons.push({
      entryId: e.id,
      entry: entryLabel(e),
      lang,
      action,
      detail,
      triggers: fired.get(entry) ?? []
    })
  }
  // Work on fields when the caption has them and they render to its text; otherwise on the text.
  let fields: CaptionFields | undefined =
    givenFields && render(givenFields, lang) === text ? { ...givenFields } : undefined
  let out = text
  if (fields) {
    const f: Record<string, string> = {}
    for (const [k, v] of Object.entries(fields))
      if (v) f[k] = replaceIn(cg, v, lang, firedSet, note)
    fields = f as CaptionFields
    out = render(fields, lang)
  } else {
    out = replaceIn(cg, text, lang, firedSet, note)
  }
  for (const entry of [...firedSet].sort((a, b) => a - b)) {
    const e = cg.entries[entry] as GlossaryEntry
    const { mode, target } = e.injection
    if (mode === 'insert-if-absent') {
      const name = e.name[lang]
      if (!name || namesEntry(cg, out, entry, lang)) continue
      if (!fields && target !== 'subject') {
        const parsed = parse(out, lang)
        if (render(parsed, lang) === out) fields = parsed
      }
      if (fields) {
        fields = insertInto(fields, target, name, lang)
        out = render(fields, lang)
      } else {
        out = `${name}${SEP[lang]}${out}`
      }
      note(entry, 'insert', name)
    } else if (mode === 'prepend-trigger') {
      const word = e.injection.trigger ?? e.name[lang] ?? e.name.zh ?? e.name.en
      if (!word || hasWord(out, word)) continue
      if (fields) {
        fields = insertInto(fields, 'subject', word, lang)
        out = render(fields, lang)
      } else {
        out = `${word}${SEP[lang]}${out}`
      }
      note(entry, 'prepend', word)
    }
  }
  return fields ? { text: out, fields } : { text: out }
}

/** Folded containment, with word boundaries when the word starts/ends with a Latin letter. */
export function hasWord(text: string, word: string): boolean {
  const t = fold(text)
  const w = fold(word.trim())
  if (!w) return true
  const wordy = /[a-z0-9]/
  for (let i = t.indexOf(w); i >= 0; i = t.indexOf(w, i + 1)) {
    const before = t[i - 1] ?? ' '
    const after = t[i + w.length] ?? ' '
    if (wordy.test(w[0] as string) && wordy.test(before)) continue
    if (wordy.test(w[w.length - 1] as string) && wordy.test(after)) continue
    return true
  }
  return false
}

/** The fired entries and mentions of one image. */
export function analyseImage(
  cg: CompiledGlossary,
  image: GlossaryImage
): { mentions: { zh: Mention[]; en: Mention[] }; fired: Map<number, Trigger[]> } {
  const mentions = { zh: findMentions(cg, image.zh ?? ''), en: findMentions(cg, image.en ?? '') }
  return { mentions, fired: firedEntries(cg, image, mentions) }
}

/**
 * Proposals for the images a glossary would change (unchanged images are left out). Accepts the
 * entries or an already compiled glossary (compile once, apply to many batches).
 */
export function applyGlossary(
  glossary: readonly GlossaryEntry[] | CompiledGlossary,
  images: Iterable<ApplyImage>
): Proposal[] {
  const cg = 'automaton' in glossary ? glossary : compileGlossary(glossary)
  const out: Proposal[] = []
  for (const image of images) {
    const { fired } = analyseImage(cg, image)
    if (!fired.size) continue
    const p: Proposal = { imageId: image.id, reasons: [] }
    for (const lang of ['zh', 'en'] as const) {
      const before = image[lang]
      if (!before) continue
      const reasons: ApplyReason[] = []
      const r = applyToCaption(cg, fired, before, lang, image.fields?.[lang], reasons)
      if (r.text === before) continue
      p[lang] = {
        before,
        after: r.text,
        diff: diffText(before, r.text, lang),
        ...(r.fields ? { fields: r.fields } : {})
      }
      p.reasons.push(...reasons)
    }
    if (p.zh || p.en) out.push(p)
  }
  return out
}
