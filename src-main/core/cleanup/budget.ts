/**
 * Length budget: zh in characters, en in words, tags in count. A cut falls on the last sentence or
 * clause boundary inside the budget when that keeps at least half of it, otherwise on a character
 * (zh) or word (en) boundary. HunyuanDiT's CLIP branch sees about 75 Han characters and mT5 256
 * tokens (hunyuan-captioner.md §3), so a zh budget of 75 keeps what CLIP reads.
 */
import type { Field, Rule, RuleOptions } from './types'
import { joinTags, splitTags } from './tidy'

export const DEFAULT_BUDGET = { zh: 256, en: 200, tags: 0 } as const

function limit(opts: RuleOptions, field: Field): number {
  const v = opts[field] ?? DEFAULT_BUDGET[field]
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new TypeError(`option "${field}" must be a whole number ≥ 0 (0 = no limit)`)
  }
  return v
}

function cutZh(line: string, max: number): string {
  const chars = Array.from(line)
  if (chars.length <= max) return line
  const head = chars.slice(0, max).join('')
  const m = /^[\s\S]*[。！？；，、,.;!?]/u.exec(head)
  let out = m && Array.from(m[0]).length >= max / 2 ? m[0] : head
  out = out.replace(/[，、,;；\s]+$/u, '')
  if (!/[。！？.!?]$/u.test(out)) out += '。'
  return out
}

function cutEn(line: string, max: number): string {
  const words = line.trim().split(/\s+/)
  if (words.length <= max) return line
  const head = words.slice(0, max).join(' ')
  const m = /^[\s\S]*[.;!?,](?=\s|$)/u.exec(head)
  let out = m && m[0].split(/\s+/).length >= max / 2 ? m[0] : head
  out = out.replace(/[,;:\s]+$/u, '')
  if (!/[.!?]$/u.test(out)) out += '.'
  return out
}

export const budgetRule: Rule = {
  id: 'length-budget',
  label: 'Captions cut to the length budget',
  fields: ['zh', 'en', 'tags'],
  keepsContent: true,
  apply(text, field, opts) {
    const max = limit(opts, field)
    if (max === 0) return { text, count: 0 }
    if (field === 'tags') {
      const tags = splitTags(text)
      return tags.length > max
        ? { text: joinTags(tags.slice(0, max)), count: tags.length - max }
        : { text, count: 0 }
    }
    let count = 0
    const out = text.split('\n').map((line) => {
      const cut = field === 'zh' ? cutZh(line, max) : cutEn(line, max)
      if (cut !== line) count++
      return cut
    })
    return count > 0 ? { text: out.join('\n'), count } : { text, count: 0 }
  }
}
