/**
 * Structured captions: fields ⇄ one paragraph, per language.
 *
 * `render(fields, lang)` writes the canonical paragraph (grammar in structured-grammar.ts).
 * `parse(text, lang)` reads a paragraph back into fields, best effort:
 *  - the strict parser searches for a decomposition of the text in the canonical grammar; any
 *    decomposition it returns re-renders to exactly the same text, and one always exists for a
 *    text `render` produced, so `render(parse(render(f))) === render(f)`;
 *  - the lenient parser reads free prose (Hunyuan-Captioner output, hand-written captions) clause
 *    by clause, recognising the formulas and their published variants, moving forward through the
 *    field order; text that matches no formula goes to subject/appearance/action.
 *  `parse` returns the strict reading when it contains at least one canonical sentence or
 *  closing clause (background … atmosphere); otherwise, when the lenient reading finds formula
 *  clauses, the text is free prose (Hunyuan style) and the lenient reading is returned.
 *  The one consequence for the round trip: a caption with ONLY subject/appearance/action whose
 *  clauses are themselves formulas (a subject "采用近景构图") reads back as those formulas — which
 *  is exactly how such prose should be read. Every other field combination round-trips exactly.
 */
import type { CaptionFieldName, CaptionFields, Lang } from '../../../shared/api'
import {
  FIELD_RANK,
  GRAMMARS,
  HEAD_FIELDS,
  normValue,
  type Grammar,
  type Slot
} from './structured-grammar'
import {
  classifyClauseZh,
  clausesZh,
  headKindZh,
  leadInZh,
  splitSubjectZh,
  type ClauseHit
} from './structured-zh'
import { classifyClauseEn, clausesEn, headKindEn } from './structured-en'

export { FIELD_RANK, GRAMMARS, normValue } from './structured-grammar'

type MutableFields = { -readonly [K in CaptionFieldName]?: string }

export function render(fields: CaptionFields, lang: Lang): string {
  const g = GRAMMARS[lang]
  const parts: string[] = []
  const head = HEAD_FIELDS.map((f) => normValue(fields[f], f)).filter(Boolean)
  if (head.length) parts.push(head.join(g.clauseSep) + g.end)
  for (const s of g.sentences) {
    const v = normValue(fields[s.field], s.field)
    if (v) parts.push((s.preFor ? s.preFor(v) : s.pre) + v + s.post)
  }
  const tail: string[] = []
  for (const s of g.tail) {
    const v = normValue(fields[s.field], s.field)
    if (v) tail.push(s.pre + v + s.post)
  }
  if (tail.length) parts.push(g.tailPre + tail.join(g.clauseSep) + g.end)
  return parts.join(g.sentenceJoin)
}

/** Fields with a non-empty value, in rendering order. */
export function presentFields(fields: CaptionFields): CaptionFieldName[] {
  return (Object.keys(FIELD_RANK) as CaptionFieldName[]).filter((f) => normValue(fields[f], f))
}

export function parse(text: string, lang: Lang): CaptionFields {
  const t = text.trim()
  if (!t) return {}
  const lenient = parseLenient(t, lang)
  // The strict search is linear in practice but guard pathological inputs.
  const strict = t.length <= 20_000 ? parseStrict(t, lang) : null
  if (!strict) return lenient
  const bs = bodyCount(strict)
  const bl = bodyCount(lenient)
  if (bl > bs && render(lenient, lang) === t) return lenient
  // A canonical sentence or closing clause was found: this is Glossa's own form.
  if (bs > 0 || bl === 0) return strict
  // Only a first sentence in canonical terms, but formula clauses inside it: free prose.
  return lenient
}

/**
 * The reading for the fields form (switching a caption to Fields): `parse`, except that a caption
 * read as one first sentence ("一只橘猫坐在窗台上。") takes the clause-by-clause reading when that
 * finds more fields (subject 一只橘猫, action 坐在窗台上) instead of putting it all in Subject. The
 * text is not changed by reading it; a field edit then renders the paragraph from the fields.
 */
export function parseForFields(text: string, lang: Lang): CaptionFields {
  const f = parse(text, lang)
  if (bodyCount(f) > 0) return f
  const lenient = parseLenient(text.trim(), lang)
  return presentFields(lenient).length > presentFields(f).length ? lenient : f
}

function bodyCount(f: CaptionFields): number {
  return presentFields(f).filter((k) => FIELD_RANK[k] > FIELD_RANK.action).length
}

// ---------------------------------------------------------------------------------------------
// Strict: a search for a decomposition in the canonical grammar.

function stable(v: string, field: CaptionFieldName): boolean {
  return v !== '' && normValue(v, field) === v
}

function* endsOf(t: string, from: number, post: string): Generator<number> {
  let e = t.indexOf(post, from)
  while (e >= 0) {
    yield e
    e = t.indexOf(post, e + 1)
  }
}

interface Section {
  kind: 'head' | 'sentence' | 'tail'
  slot?: Slot
  pre: string
  post: string
  /** the first section that may follow (past the other lead-ins of the same slot) */
  after: number
}

function sectionsOf(g: Grammar): Section[] {
  const out: Section[] = [{ kind: 'head', pre: '', post: g.end, after: 1 }]
  // a sentence whose lead-in depends on the value: one section per lead-in, in order
  for (const s of g.sentences) {
    const pres = s.pres ?? [s.pre]
    const after = out.length + pres.length
    for (const pre of pres) out.push({ kind: 'sentence', slot: s, pre, post: s.post, after })
  }
  out.push({ kind: 'tail', pre: g.tailPre, post: g.end, after: out.length + 1 })
  return out
}

export function parseStrict(t: string, lang: Lang): CaptionFields | null {
  const g = GRAMMARS[lang]
  const sections = sectionsOf(g)
  // announced sections first, then those without a lead-in, the head last
  const keys = [...sections.keys()].slice(1)
  const order = [
    ...keys.filter((j) => sections[j]!.pre !== ''),
    ...keys.filter((j) => sections[j]!.pre === ''),
    0
  ]
  const failed = new Set<string>()
  const go = (pos: number, from: number): MutableFields | null => {
    if (pos === t.length) return {}
    const key = `${pos}:${from}`
    if (failed.has(key)) return null
    // Sections announced by their prefix first, the unannounced head last: a text that starts
    // with 背景是… reads as a background sentence rather than as a subject.
    for (const j of order) {
      if (j < from) continue
      const sec = sections[j] as Section
      if (sec.kind === 'head' && pos !== 0) continue
      // a sentence without a lead-in never opens the caption: there it is the head
      if (sec.kind === 'sentence' && sec.pre === '' && pos === 0) continue
      if (!t.startsWith(sec.pre, pos)) continue
      const start = pos + sec.pre.length
      for (const e of endsOf(t, start + 1, sec.post)) {
        const got = readSection(sec, t.slice(start, e), g)
        if (!got) continue
        const next = e + sec.post.length
        if (next === t.length) return got
        if (!t.startsWith(g.sentenceJoin, next)) continue
        const rest = go(next + g.sentenceJoin.length, sec.after)
        if (rest) return { ...got, ...rest }
      }
    }
    failed.add(key)
    return null
  }
  return go(0, 0)
}

function readSection(sec: Section, v: string, g: Grammar): MutableFields | null {
  if (sec.kind === 'head') return stable(v, 'subject') ? splitHead(v, g) : null
  if (sec.kind === 'sentence' && sec.slot) {
    // only the lead-in render would write for this value, so the reading re-renders exactly
    const lead = sec.slot.preFor ? sec.slot.preFor(v) : sec.slot.pre
    return stable(v, sec.slot.field) && lead === sec.pre ? { [sec.slot.field]: v } : null
  }
  return parseTail(v, g)
}

function parseTail(t: string, g: Grammar): MutableFields | null {
  const failed = new Set<string>()
  const go = (pos: number, from: number): MutableFields | null => {
    const key = `${pos}:${from}`
    if (failed.has(key)) return null
    for (let j = from; j < g.tail.length; j++) {
      const slot = g.tail[j] as Slot
      if (!t.startsWith(slot.pre, pos)) continue
      const start = pos + slot.pre.length
      for (const e of endsOf(t, start + 1, slot.post)) {
        const v = t.slice(start, e)
        if (!stable(v, slot.field)) continue
        const next = e + slot.post.length
        if (next === t.length) return { [slot.field]: v }
        if (!t.startsWith(g.clauseSep, next)) continue
        const rest = go(next + g.clauseSep.length, j + 1)
        if (rest) return { [slot.field]: v, ...rest }
      }
    }
    failed.add(key)
    return null
  }
  return go(0, 0)
}

/** Splits the first sentence into subject / appearance / action at clause separators. */
function splitHead(v: string, g: Grammar): MutableFields {
  const kind = g.lang === 'zh' ? headKindZh : headKindEn
  const clauses = v.split(g.clauseSep)
  const groups: Record<(typeof HEAD_FIELDS)[number], string[]> = {
    subject: [],
    appearance: [],
    action: []
  }
  let stage: (typeof HEAD_FIELDS)[number] = 'subject'
  clauses.forEach((c, i) => {
    if (i > 0) {
      const k = kind(c.trim())
      if (k && FIELD_RANK[k] > FIELD_RANK[stage]) stage = k
    }
    groups[stage].push(c)
  })
  const out: MutableFields = {}
  for (const f of HEAD_FIELDS) {
    if (!groups[f].length) continue
    const s = groups[f].join(g.clauseSep)
    if (!stable(s, f)) return { subject: v }
    out[f] = s
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Lenient: clause by clause, forward through the field order.

export function parseLenient(t: string, lang: Lang): CaptionFields {
  const g = GRAMMARS[lang]
  const clauses = lang === 'zh' ? clausesZh(t) : clausesEn(t)
  const classify: (c: string, rank: number) => ClauseHit | null =
    lang === 'zh' ? classifyClauseZh : classifyClauseEn
  const kind = lang === 'zh' ? headKindZh : headKindEn
  const out: MutableFields = {}
  let cur: CaptionFieldName | null = null
  const append = (f: CaptionFieldName, c: string): void => {
    out[f] = out[f] ? `${out[f]}${g.clauseSep}${c}` : c
  }
  // a lead-in clause ("背景中") gives the next clause its field
  let lead: CaptionFieldName | null = null
  for (const raw of clauses) {
    const c = stripTailPrefix(raw, g)
    const rank = cur ? FIELD_RANK[cur] : -1
    if (lang === 'zh') {
      const l = leadInZh(c)
      if (l && !out[l]) {
        lead = l
        continue
      }
    }
    if (lead) {
      out[lead] = c
      cur = lead
      lead = null
      continue
    }
    const hit = classify(c, rank)
    // a formula moves forward through the fields, or back to one still empty ("…，阳光洒在桌上，
    // 背景是城市" has its background after its lighting)
    if (hit && (FIELD_RANK[hit.field] > rank || !out[hit.field])) {
      out[hit.field] = hit.value.trim()
      cur = hit.field
      continue
    }
    if (cur === null) {
      // "一位少女坐在咖啡馆的窗边": the subject and what it does
      const split = lang === 'zh' ? splitSubjectZh(raw) : null
      if (split) {
        out.subject = split.subject
        out.action = split.action
        cur = 'action'
      } else {
        out.subject = raw
        cur = 'subject'
      }
      continue
    }
    if (FIELD_RANK[cur] <= FIELD_RANK.action) {
      const k = kind(raw)
      if (k && FIELD_RANK[k] > FIELD_RANK[cur]) {
        out[k] = raw
        cur = k
        continue
      }
    }
    append(cur, raw)
  }
  for (const f of Object.keys(out) as CaptionFieldName[]) {
    const v = normValue(out[f], f)
    if (v) out[f] = v
    else delete out[f]
  }
  return out
}

/** "画面采用…" / "The image adopts …": the canonical tail opener is not part of the clause. */
function stripTailPrefix(c: string, g: Grammar): string {
  if (!c.startsWith(g.tailPre)) return c
  const rest = c.slice(g.tailPre.length)
  return g.tail.some((s) => rest.startsWith(s.pre)) ? rest : c
}
