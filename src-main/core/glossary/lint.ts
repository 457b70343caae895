/**
 * Caption lint: pure functions over one image's captions (and optionally a glossary).
 *  - alias-without-name: an applicable entry's alias is used but its canonical name (in that
 *    caption's language) is not;
 *  - trigger-missing: an applicable prepend-trigger entry's trigger word is not in the caption;
 *  - traits-restated: an applicable entry's fixed trait is described in the caption (a LoRA
 *    trigger cannot learn what the caption spells out);
 *  - mixed-language: a zh caption with an English sentence (4+ consecutive Latin words) or an
 *    en caption with a Chinese sentence (4+ consecutive Han characters);
 *  - over-budget: more tokens than CLIP (77) or mT5 (256) take; `cut` marks where they truncate;
 *  - knowledge-missing: a model was prompted with a glossary entity (the knowledge prompt) and the
 *    caption it wrote does not name it (by the name the prompt used or the entry's canonical name);
 *  - no-caption: the image has no caption in any language and no tags (a tag-list image, whose
 *    tags are its caption for kohya, is not flagged);
 *  - emptied-by-cleanup: cleanup left a caption empty (a step a reviewer released from the guard,
 *    or a user rule).
 */
import { LINT_RULES, type Lang, type LintRule } from '../../shared/api'
import { budgetReport, type Encoder, type TokenCounter } from '../captions/text/tokens'
import { analyseImage, hasWord } from './apply'
import { selectNameMentions, type CompiledGlossary, type GlossaryImage } from './matcher'
import { entryLabel, type GlossaryEntry } from './schema'

export { LINT_RULES, type LintRule }

export interface LintIssue {
  rule: LintRule
  lang: Lang
  message: string
  entryId?: string
  /** The offending span in the caption, when there is one. */
  start?: number
  end?: number
}

export interface LintOptions {
  /** Real tokenizers; without them the budget rule uses the estimate (and says so). */
  counters?: Partial<Record<Encoder, TokenCounter>>
  encoders?: Encoder[]
}

const EN_SENTENCE =
  /\p{Script=Latin}[\p{Script=Latin}'’-]*(?:[ \t]*[,;:]?[ \t]+\p{Script=Latin}[\p{Script=Latin}'’-]*){3,}/u
const ZH_SENTENCE = /\p{Script=Han}{4,}/u

export function mixedLanguage(text: string, lang: Lang): { start: number; end: number } | null {
  const m = (lang === 'zh' ? EN_SENTENCE : ZH_SENTENCE).exec(text)
  return m ? { start: m.index, end: m.index + m[0].length } : null
}

export function overBudget(text: string, lang: Lang, opts: LintOptions = {}): LintIssue[] {
  const out: LintIssue[] = []
  for (const enc of opts.encoders ?? (['clip', 'mt5'] as Encoder[])) {
    const r = budgetReport(text, enc, opts.counters?.[enc])
    if (!r.over) continue
    const how = r.exact ? '' : ' (estimate)'
    out.push({
      rule: 'over-budget',
      lang,
      message: `${r.tokens} tokens${how}; ${enc} takes ${r.budget} and cuts the rest`,
      ...(r.cut !== null ? { start: r.cut, end: text.length } : {})
    })
  }
  return out
}

export function lintImage(
  cg: CompiledGlossary | null,
  image: GlossaryImage,
  opts: LintOptions = {}
): LintIssue[] {
  const issues: LintIssue[] = []
  const analysis = cg ? analyseImage(cg, image) : null
  if (!image.zh?.trim() && !image.en?.trim() && image.tags.length === 0)
    issues.push({
      rule: 'no-caption',
      lang: 'zh',
      message: 'no caption in any language, and no tags'
    })
  for (const lang of image.emptied ?? [])
    issues.push({
      rule: 'emptied-by-cleanup',
      lang,
      message: `cleanup left the ${lang} caption empty (the raw imported text is kept)`
    })
  for (const lang of ['zh', 'en'] as const) {
    const text = image[lang]
    if (!text) continue
    const mixed = mixedLanguage(text, lang)
    if (mixed) {
      issues.push({
        rule: 'mixed-language',
        lang,
        message:
          lang === 'zh'
            ? 'English sentence in the Chinese caption'
            : 'Chinese sentence in the English caption',
        ...mixed
      })
    }
    issues.push(...overBudget(text, lang, opts))
    for (const k of image.prompted?.[lang] ?? []) {
      const e = cg?.entries.find((x) => x.id === String(k.entryId))
      const names = [k.name, e?.name[lang], e?.name.zh, e?.name.en].filter((n): n is string => !!n)
      if (!names.some((n) => hasWord(text, n)))
        issues.push({
          rule: 'knowledge-missing',
          lang,
          entryId: String(k.entryId),
          message: `the prompt gave “${k.name}”, but the caption does not name it`
        })
    }
    if (!cg || !analysis) continue
    const mentions = analysis.mentions[lang]
    const selected = selectNameMentions(mentions, new Set(analysis.fired.keys()))
    for (const entry of analysis.fired.keys()) {
      const e = cg.entries[entry] as GlossaryEntry
      const own = mentions.filter((m) => m.pattern.entry === entry)
      // Only mentions that win the name/alias selection: 廣州塔 is the name 广州塔 in another
      // script even though it is also listed as an alias.
      const alias = selected.find((m) => m.pattern.entry === entry && m.pattern.kind === 'alias')
      const named = own.some((m) => m.pattern.kind === 'name' && m.pattern.lang === lang)
      if (alias && !named) {
        issues.push({
          rule: 'alias-without-name',
          lang,
          entryId: e.id,
          message: `“${text.slice(alias.start, alias.end)}” is an alias of ${entryLabel(e)}, which is not named`,
          start: alias.start,
          end: alias.end
        })
      }
      if (e.injection.mode === 'prepend-trigger') {
        const word = e.injection.trigger ?? e.name[lang] ?? e.name.zh ?? e.name.en ?? ''
        if (word && !hasWord(text, word)) {
          issues.push({
            rule: 'trigger-missing',
            lang,
            entryId: e.id,
            message: `trigger word “${word}” of ${entryLabel(e)} is missing`
          })
        }
      }
      for (const m of own.filter((x) => x.pattern.kind === 'trait')) {
        issues.push({
          rule: 'traits-restated',
          lang,
          entryId: e.id,
          message: `“${text.slice(m.start, m.end)}” restates a fixed trait of ${entryLabel(e)}`,
          start: m.start,
          end: m.end
        })
      }
    }
  }
  return issues
}
