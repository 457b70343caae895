/**
 * Glossary entries: background knowledge (people, characters, landmarks, dishes, styles, terms)
 * with the phrasings a captioner writes for them, the triggers that decide which images an entry
 * applies to, and how it is injected into captions.
 */
import { z } from 'zod'
import { CAPTION_FIELDS } from '../../shared/api'
import { GLOSSARY_KINDS, INJECTION_MODES } from '../../shared/api'
import { compileUserRegex, type UserRegex } from '../regex'

/**
 * - `replace-alias`: aliases (and case/width/script variants of the name) become the canonical
 *   name of the alias's language; nothing else.
 * - `insert-if-absent`: as replace-alias, then the canonical name is inserted into the target
 *   field when the caption still does not name the entry.
 * - `prepend-trigger`: as replace-alias, then the trigger word (default: the canonical name) is
 *   put at the very start of the caption when absent — the LoRA trigger convention.
 */
export {
  GLOSSARY_KINDS,
  INJECTION_MODES,
  type GlossaryKind,
  type InjectionMode
} from '../../shared/api'

/** Longest accepted single value: a glossary cell is a phrase, not a document. */
export const MAX_CELL = 10_000
const Str = z.string().trim().min(1).max(MAX_CELL)
const List = z.array(Str).max(1000).default([])

export const GlossaryEntry = z
  .object({
    id: z.string().min(1).max(200),
    name: z.object({ zh: Str.optional(), en: Str.optional() }).strict(),
    aliases: z.object({ zh: List, en: List }).strict().default({ zh: [], en: [] }),
    kind: z.enum(GLOSSARY_KINDS).default('term'),
    facts: z.object({ zh: Str.optional(), en: Str.optional() }).strict().default({}),
    triggers: z
      .object({
        tags: List,
        keywords: List,
        regex: List,
        paths: List,
        images: z.array(z.string().min(1).max(200)).max(1_000_000).default([])
      })
      .strict()
      .default({ tags: [], keywords: [], regex: [], paths: [], images: [] }),
    injection: z
      .object({
        target: z.enum(CAPTION_FIELDS).default('subject'),
        mode: z.enum(INJECTION_MODES).default('replace-alias'),
        trigger: Str.optional()
      })
      .strict()
      .default({ target: 'subject', mode: 'replace-alias' }),
    fixedTraits: List
  })
  .strict()
  .superRefine((e, ctx) => {
    if (!e.name.zh && !e.name.en) {
      ctx.addIssue({ code: 'custom', path: ['name'], message: 'needs name.zh or name.en' })
    }
    e.triggers.regex.forEach((r, i) => {
      const err = regexError(r)
      if (err) ctx.addIssue({ code: 'custom', path: ['triggers', 'regex', i], message: err })
    })
  })
export type GlossaryEntry = z.output<typeof GlossaryEntry>
export type GlossaryEntryInput = z.input<typeof GlossaryEntry>

/**
 * A regex trigger is written `/source/flags` or as a bare source (case-insensitive). It runs on
 * the linear-time engine (core/regex): a pattern it cannot run is refused when the entry is saved.
 */
export function compileRegex(r: string): UserRegex {
  const m = /^\/(.+)\/([a-z]*)$/su.exec(r)
  if (m) {
    const flags = [...new Set((m[2] ?? '').split('').filter((f) => 'ims'.includes(f)))].join('')
    return compileUserRegex(
      m[1] as string,
      flags,
      `regex trigger ${JSON.stringify(r.slice(0, 80))}`
    )
  }
  return compileUserRegex(r, 'i', `regex trigger ${JSON.stringify(r.slice(0, 80))}`)
}

export function regexError(r: string): string | null {
  try {
    compileRegex(r)
    return null
  } catch (e) {
    return `invalid regex ${JSON.stringify(r.slice(0, 80))}: ${String((e as { details?: { reason?: string } }).details?.reason ?? (e as Error).message)}`
  }
}

/** The display name: zh first, then en. */
export function entryLabel(e: GlossaryEntry): string {
  return e.name.zh && e.name.en ? `${e.name.zh} / ${e.name.en}` : (e.name.zh ?? e.name.en ?? e.id)
}
