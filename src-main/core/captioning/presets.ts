/**
 * Prompt presets for generative captioners (pure functions).
 *  - Hunyuan-Captioner's three public modes with their exact strings (hunyuan-captioner.md §1.2):
 *    `描述这张图片`, `Please describe the content of this image`, and
 *    `根据提示词“{content}”,描述这张图片` (curly quotes U+201C/U+201D, ASCII comma);
 *  - refine: the same insert template with the image's raw caption as {content} (§2);
 *  - structured: asks for the Glossa caption fields as JSON, validated with the API schema;
 *  - Florence-2 task prompts; user-editable presets validated by `validatePreset`.
 * `{content}` comes from, in order: glossary terms for the image (joined with `、`, or `, ` for an
 * English preset), the raw caption, then the tags (joined with `、`).
 */
import { z } from 'zod'
import { CAPTION_FIELDS, CaptionFields } from '../../shared/api'

export type PresetOutput = 'text' | 'fields'
export type ContentSource = 'none' | 'knowledge' | 'raw'

export interface PromptPreset {
  id: string
  name: string
  lang: 'zh' | 'en'
  /** the prompt; `{content}` is the only placeholder */
  template: string
  output: PresetOutput
  /** where {content} comes from: 'knowledge' = glossary → raw caption → tags; 'raw' = raw caption */
  content: ContentSource
  builtin?: boolean
}

export const HUNYUAN_ZH = '描述这张图片'
export const HUNYUAN_EN = 'Please describe the content of this image'
export const HUNYUAN_INSERT = '根据提示词\u201c{content}\u201d,描述这张图片'
export const FLORENCE_TASKS = [
  '<CAPTION>',
  '<DETAILED_CAPTION>',
  '<MORE_DETAILED_CAPTION>'
] as const

const FIELD_LIST = CAPTION_FIELDS.join(', ')

const BUILTINS: PromptPreset[] = [
  {
    id: 'hunyuan-zh',
    name: 'Hunyuan caption (zh)',
    lang: 'zh',
    template: HUNYUAN_ZH,
    output: 'text',
    content: 'none'
  },
  {
    id: 'hunyuan-en',
    name: 'Hunyuan caption (en)',
    lang: 'en',
    template: HUNYUAN_EN,
    output: 'text',
    content: 'none'
  },
  {
    id: 'hunyuan-insert',
    name: 'Hunyuan caption with knowledge (zh)',
    lang: 'zh',
    template: HUNYUAN_INSERT,
    output: 'text',
    content: 'knowledge'
  },
  {
    id: 'refine',
    name: 'Refine the raw caption (zh)',
    lang: 'zh',
    template: HUNYUAN_INSERT,
    output: 'text',
    content: 'raw'
  },
  {
    id: 'structured-en',
    name: 'Structured fields (en)',
    lang: 'en',
    template:
      'Describe this image as one JSON object with these string fields: ' +
      `${FIELD_LIST}. Leave out fields that do not apply. Answer with the JSON only.` +
      '{content}',
    output: 'fields',
    content: 'knowledge'
  },
  {
    id: 'structured-zh',
    name: '结构化字段 (zh)',
    lang: 'zh',
    template:
      `用一个 JSON 对象描述这张图片，字段为：${FIELD_LIST}，值为中文字符串，不适用的字段省略。只输出 JSON。` +
      '{content}',
    output: 'fields',
    content: 'knowledge'
  },
  ...FLORENCE_TASKS.map((task): PromptPreset => ({
    id: `florence-${task.slice(1, -1).toLowerCase().replace(/_/g, '-')}`,
    name: `Florence-2 ${task}`,
    lang: 'en',
    template: task,
    output: 'text',
    content: 'none'
  }))
]
export const BUILTIN_PRESETS: readonly PromptPreset[] = BUILTINS.map((p) => ({
  ...p,
  builtin: true
}))

export interface PromptContext {
  /** glossary terms matched to the image (canonical names in the preset's language) */
  knowledge?: readonly string[]
  rawCaption?: string | null
  tags?: readonly string[]
}

/** Strips what should not be injected verbatim inside the quotes: URLs, hashtags, extra space. */
export function cleanContent(text: string, maxChars = 500): string {
  const cleaned = text
    .replace(/https?:\/\/\S+|www\.\S+/gi, ' ')
    .replace(/(^|\s)#[^\s#]+/g, ' ')
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\s+/g, ' ')
    .trim()
  return [...cleaned].slice(0, maxChars).join('')
}

/** The {content} string for a preset, or '' when there is nothing to inject. */
export function contentFor(preset: PromptPreset, ctx: PromptContext): string {
  if (preset.content === 'none') return ''
  const raw = ctx.rawCaption ? cleanContent(ctx.rawCaption) : ''
  if (preset.content === 'raw') return raw
  const terms = (ctx.knowledge ?? []).map((t) => t.trim()).filter(Boolean)
  if (terms.length > 0) return terms.join(preset.lang === 'zh' ? '、' : ', ')
  if (raw) return raw
  return (ctx.tags ?? [])
    .map((t) => t.trim())
    .filter(Boolean)
    .join('、')
}

/**
 * Renders a preset. An insert-style template (`“{content}”`) without content falls back to the
 * plain caption prompt of its language rather than sending empty quotes; structured presets
 * append the knowledge as a hint sentence.
 */
export function renderPrompt(preset: PromptPreset, ctx: PromptContext = {}): string {
  const content = contentFor(preset, ctx)
  if (preset.output === 'fields') {
    const hint = content
      ? preset.lang === 'zh'
        ? ` 参考信息：${content}`
        : ` Known about this image: ${content}`
      : ''
    return preset.template.replace('{content}', hint)
  }
  if (!content && preset.template.includes('{content}')) {
    return preset.lang === 'zh' ? HUNYUAN_ZH : HUNYUAN_EN
  }
  return preset.template.replace('{content}', content)
}

export const PromptPresetInput = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'use lowercase letters, digits and dashes'),
    name: z.string().trim().min(1).max(100),
    lang: z.enum(['zh', 'en']),
    template: z
      .string()
      .trim()
      .min(1)
      .max(4000)
      .refine((t) => !/\{(?!content\})[^}]*\}/.test(t), 'the only placeholder is {content}'),
    output: z.enum(['text', 'fields']),
    content: z.enum(['none', 'knowledge', 'raw'])
  })
  .strict()

/** Validates a user preset; built-in ids cannot be redefined. */
export function validatePreset(input: unknown): PromptPreset {
  const p = PromptPresetInput.parse(input)
  if (BUILTIN_PRESETS.some((b) => b.id === p.id)) {
    throw new Error(`"${p.id}" is a built-in preset; choose another id`)
  }
  return p
}

export type StructuredResult = { ok: true; fields: CaptionFields } | { ok: false; error: string }

/** Extracts and validates the JSON a structured preset asks for (code fences and chatter allowed). */
export function parseStructuredCaption(text: string): StructuredResult {
  const start = text.indexOf('{')
  const end = text.lastIndexOf('}')
  if (start < 0 || end <= start) return { ok: false, error: 'the answer contains no JSON object' }
  let value: unknown
  try {
    value = JSON.parse(text.slice(start, end + 1))
  } catch (err) {
    return { ok: false, error: `the JSON does not parse: ${(err as Error).message}` }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: 'the JSON is not an object' }
  }
  // Keep known fields with string values; drop empty ones. Unknown keys are an error to surface.
  const known = new Set<string>(CAPTION_FIELDS)
  const unknownKeys = Object.keys(value).filter((k) => !known.has(k))
  if (unknownKeys.length > 0)
    return { ok: false, error: `unknown fields: ${unknownKeys.join(', ')}` }
  // values are trimmed (a model's answer may pad them); empty ones are dropped
  const cleaned = Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => [k, typeof v === 'string' ? v.trim() : v] as const)
      .filter(([, v]) => v !== '')
  )
  const parsed = CaptionFields.safeParse(cleaned)
  if (!parsed.success) {
    return {
      ok: false,
      error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
    }
  }
  if (Object.keys(parsed.data).length === 0) return { ok: false, error: 'no fields were filled' }
  return { ok: true, fields: parsed.data }
}
