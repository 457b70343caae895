/**
 * The compiled form of a glossary. All names, aliases, keyword triggers and fixed traits of all
 * entries go into ONE Aho–Corasick automaton over folded text (lower case, half width,
 * simplified script; see script.ts), so a caption is scanned once whatever the glossary size.
 * Tags and manual image assignments are hash lookups. Regex and path-glob triggers are tested
 * only for the entries that have them.
 */
import picomatch from 'picomatch'
import type { Lang } from '../../shared/api'
import { guessLang } from '../captions/text/cjk'
import { Automaton } from './automaton'
import { compileRegex, type GlossaryEntry } from './schema'
import type { UserRegex } from '../regex'
import { fold } from './script'

export type PatternKind = 'name' | 'alias' | 'keyword' | 'trait'

export interface Pattern {
  entry: number
  kind: PatternKind
  lang: Lang
  text: string
  latinStart: boolean
  latinEnd: boolean
}

export interface Mention {
  pattern: Pattern
  start: number
  end: number
}

export type TriggerKind = 'tag' | 'keyword' | 'regex' | 'path' | 'image' | 'mention'
export interface Trigger {
  kind: TriggerKind
  value: string
}

export interface GlossaryImage {
  id: string
  relPath: string
  tags: readonly string[]
  zh: string | null
  en: string | null
  /** per language, the glossary names the prompt of the model run that wrote the caption
   *  carried (captioning's caption_prompts); lint checks the caption names them */
  prompted?: { zh?: readonly PromptedName[]; en?: readonly PromptedName[] }
  /** the languages whose caption cleanup left empty (lint: emptied-by-cleanup) */
  emptied?: readonly ('zh' | 'en')[]
}

export interface PromptedName {
  entryId: number
  name: string
}

export interface CompiledGlossary {
  entries: readonly GlossaryEntry[]
  patterns: readonly Pattern[]
  automaton: Automaton
  tagIndex: Map<string, number[]>
  imageIndex: Map<string, number[]>
  regexTriggers: { entry: number; source: string; re: UserRegex }[]
  pathTriggers: { entry: number; glob: string; test: (p: string) => boolean }[]
  /** Entries without any trigger: they apply wherever one of their names or aliases appears. */
  untriggered: Set<number>
}

const WORD = /[\p{Script=Latin}\p{Nd}]/u
function isWordUnit(c: number): boolean {
  if (c < 0x80)
    return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a)
  return WORD.test(String.fromCharCode(c))
}

export function compileGlossary(entries: readonly GlossaryEntry[]): CompiledGlossary {
  const automaton = new Automaton()
  const patterns: Pattern[] = []
  const add = (entry: number, kind: PatternKind, text: string, lang?: Lang): void => {
    const f = fold(text.trim())
    if (!f) return
    const p: Pattern = {
      entry,
      kind,
      lang: lang ?? guessLang(text),
      text: text.trim(),
      latinStart: isWordUnit(f.charCodeAt(0)),
      latinEnd: isWordUnit(f.charCodeAt(f.length - 1))
    }
    automaton.add(f, patterns.push(p) - 1)
  }
  const cg: CompiledGlossary = {
    entries,
    patterns,
    automaton,
    tagIndex: new Map(),
    imageIndex: new Map(),
    regexTriggers: [],
    pathTriggers: [],
    untriggered: new Set()
  }
  const push = (m: Map<string, number[]>, k: string, v: number): void => {
    const list = m.get(k)
    if (list) list.push(v)
    else m.set(k, [v])
  }
  entries.forEach((e, i) => {
    if (e.name.zh) add(i, 'name', e.name.zh, 'zh')
    if (e.name.en) add(i, 'name', e.name.en, 'en')
    for (const a of e.aliases.zh) add(i, 'alias', a, 'zh')
    for (const a of e.aliases.en) add(i, 'alias', a, 'en')
    for (const k of e.triggers.keywords) add(i, 'keyword', k)
    for (const t of e.fixedTraits) add(i, 'trait', t)
    for (const t of e.triggers.tags) push(cg.tagIndex, fold(t.trim()), i)
    for (const id of e.triggers.images) push(cg.imageIndex, id, i)
    for (const r of e.triggers.regex)
      cg.regexTriggers.push({ entry: i, source: r, re: compileRegex(r) })
    for (const g of e.triggers.paths) cg.pathTriggers.push({ entry: i, glob: g, test: globTest(g) })
    const t = e.triggers
    if (
      !t.tags.length &&
      !t.keywords.length &&
      !t.regex.length &&
      !t.paths.length &&
      !t.images.length
    ) {
      cg.untriggered.add(i)
    }
  })
  automaton.build()
  return cg
}

/** A glob without wildcards names a folder (or a file): everything under it matches. */
function globTest(glob: string): (p: string) => boolean {
  const g = glob.replace(/\\/g, '/').replace(/^\.\//, '')
  if (!/[*?[\]{}()!]/u.test(g)) {
    const dir = g.replace(/\/+$/, '').toLowerCase()
    return (p) => {
      const q = p.toLowerCase()
      return q === dir || q.startsWith(`${dir}/`)
    }
  }
  const m = picomatch(g, { nocase: true, dot: true })
  return (p) => m(p)
}

/** Every boundary-respecting occurrence of a pattern in `text`. */
export function findMentions(cg: CompiledGlossary, text: string): Mention[] {
  if (!text) return []
  const f = fold(text)
  const out: Mention[] = []
  for (const m of cg.automaton.findAll(f)) {
    const first = cg.patterns[m.patterns[0] as number] as Pattern
    if (first.latinStart && m.start > 0 && isWordUnit(f.charCodeAt(m.start - 1))) continue
    if (first.latinEnd && m.end < f.length && isWordUnit(f.charCodeAt(m.end))) continue
    for (const id of m.patterns)
      out.push({ pattern: cg.patterns[id] as Pattern, start: m.start, end: m.end })
  }
  return out
}

/** Which entries apply to an image, and why. */
export function firedEntries(
  cg: CompiledGlossary,
  image: GlossaryImage,
  mentions: { zh: Mention[]; en: Mention[] }
): Map<number, Trigger[]> {
  const fired = new Map<number, Trigger[]>()
  const note = (entry: number, t: Trigger): void => {
    const list = fired.get(entry)
    if (!list) fired.set(entry, [t])
    else if (!list.some((x) => x.kind === t.kind && x.value === t.value)) list.push(t)
  }
  for (const tag of image.tags) {
    for (const e of cg.tagIndex.get(fold(tag.trim())) ?? []) note(e, { kind: 'tag', value: tag })
  }
  for (const e of cg.imageIndex.get(image.id) ?? []) note(e, { kind: 'image', value: image.id })
  const rel = image.relPath.replace(/\\/g, '/')
  for (const p of cg.pathTriggers) if (p.test(rel)) note(p.entry, { kind: 'path', value: p.glob })
  if (cg.regexTriggers.length) {
    // Regexes see the caption as written and in its folded form (lower case, half width,
    // simplified), so /武汉/ also fires on 武漢.
    const texts = [image.zh, image.en].filter((t): t is string => !!t)
    const all = [...texts, ...texts.map(fold)]
    for (const r of cg.regexTriggers) {
      if (all.some((t) => r.re.test(t))) note(r.entry, { kind: 'regex', value: r.source })
    }
  }
  for (const m of [...mentions.zh, ...mentions.en]) {
    const { entry, kind, text } = m.pattern
    if (kind === 'keyword') note(entry, { kind: 'keyword', value: text })
    else if ((kind === 'alias' || kind === 'name') && cg.untriggered.has(entry)) {
      note(entry, { kind: 'mention', value: text })
    }
  }
  return fired
}

/**
 * Name and alias mentions chosen leftmost-longest without overlaps; at one position a fired
 * entry beats an unfired one and a name beats an alias. Names of every entry take part, so a
 * canonical name is never rewritten by another entry's shorter alias.
 */
export function selectNameMentions(mentions: Mention[], fired: ReadonlySet<number>): Mention[] {
  const score = (m: Mention): number =>
    (fired.has(m.pattern.entry) ? 2 : 0) + (m.pattern.kind === 'name' ? 1 : 0)
  const cands = mentions
    .filter((m) => m.pattern.kind === 'name' || m.pattern.kind === 'alias')
    .sort((a, b) => a.start - b.start || b.end - a.end || score(b) - score(a))
  const out: Mention[] = []
  let last = 0
  for (const m of cands) {
    if (m.start < last) continue
    out.push(m)
    last = m.end
  }
  return out
}
