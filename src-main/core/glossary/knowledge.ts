/**
 * Knowledge for generative captioning: the glossary entries that apply to an image become
 * Hunyuan-Captioner's `insert_content` string (zh canonical names joined with 、) and a
 * structured context block for other VLM prompts.
 */
import { analyseImage, type ApplyImage } from './apply'
import { compileGlossary, type CompiledGlossary, type Trigger } from './matcher'
import type { GlossaryEntry, GlossaryKind } from './schema'

/** Hunyuan-Captioner's insert_content query: curly quotes around the content, ASCII comma. */
export function hunyuanInsertPrompt(content: string): string {
  return `根据提示词\u201c${content}\u201d,描述这张图片`
}

export interface KnowledgeItem {
  entryId: string
  kind: GlossaryKind
  name: { zh?: string; en?: string }
  facts: { zh?: string; en?: string }
  fixedTraits: string[]
  trigger?: string
  triggers: Trigger[]
}

export interface Knowledge {
  items: KnowledgeItem[]
  /** zh canonical names (en when an entry has no zh name) joined with 、; '' when none. */
  content: string
  /** The full insert_content query, or null when no entry applies. */
  hunyuanPrompt: string | null
  /** A plain-text block for other VLM prompts; '' when no entry applies. */
  context: string
}

export function knowledgeFor(
  glossary: readonly GlossaryEntry[] | CompiledGlossary,
  image: ApplyImage
): Knowledge {
  const cg = 'automaton' in glossary ? glossary : compileGlossary(glossary)
  const { fired } = analyseImage(cg, image)
  const items: KnowledgeItem[] = [...fired.keys()]
    .sort((a, b) => a - b)
    .map((i) => {
      const e = cg.entries[i] as GlossaryEntry
      return {
        entryId: e.id,
        kind: e.kind,
        name: { ...e.name },
        facts: { ...e.facts },
        fixedTraits: [...e.fixedTraits],
        ...(e.injection.mode === 'prepend-trigger' && e.injection.trigger
          ? { trigger: e.injection.trigger }
          : {}),
        triggers: fired.get(i) ?? []
      }
    })
  const names = [...new Set(items.map((it) => it.name.zh ?? it.name.en ?? '').filter(Boolean))]
  const content = names.join('、')
  return {
    items,
    content,
    hunyuanPrompt: content ? hunyuanInsertPrompt(content) : null,
    context: contextBlock(items)
  }
}

function contextBlock(items: KnowledgeItem[]): string {
  if (!items.length) return ''
  const lines = ['Background knowledge about this image (use these names when they apply):']
  for (const it of items) {
    const names = [it.name.en, it.name.zh].filter(Boolean).join(' / ')
    lines.push(`- ${names} (${it.kind})`)
    const facts = [it.facts.en, it.facts.zh].filter(Boolean).join(' / ')
    if (facts) lines.push(`  facts: ${facts}`)
    if (it.trigger) lines.push(`  begin the caption with: ${it.trigger}`)
    if (it.fixedTraits.length) {
      lines.push(`  do not describe these fixed traits: ${it.fixedTraits.join(', ')}`)
    }
  }
  return lines.join('\n')
}
