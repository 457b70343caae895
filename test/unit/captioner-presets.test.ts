import { describe, expect, it } from 'vitest'
import {
  BUILTIN_PRESETS,
  HUNYUAN_INSERT,
  cleanContent,
  parseStructuredCaption,
  renderPrompt,
  validatePreset,
  type PromptPreset
} from '../../src-main/core/captioning/presets'

const preset = (id: string): PromptPreset => {
  const p = BUILTIN_PRESETS.find((x) => x.id === id)
  if (!p) throw new Error(id)
  return p
}

describe('Hunyuan presets', () => {
  it('use the exact published strings (curly quotes, ASCII comma)', () => {
    expect(renderPrompt(preset('hunyuan-zh'))).toBe('描述这张图片')
    expect(renderPrompt(preset('hunyuan-en'))).toBe('Please describe the content of this image')
    expect(HUNYUAN_INSERT).toBe('根据提示词\u201c{content}\u201d,描述这张图片')
    expect([...HUNYUAN_INSERT].map((c) => c.codePointAt(0)!.toString(16))).toContain('201c')
  })

  it('inject glossary terms joined with 、, else the raw caption, else the tags', () => {
    const p = preset('hunyuan-insert')
    expect(
      renderPrompt(p, { knowledge: ['上海外滩', '东方明珠'], rawCaption: 'x', tags: ['a'] })
    ).toBe('根据提示词“上海外滩、东方明珠”,描述这张图片')
    expect(renderPrompt(p, { rawCaption: '宫保鸡丁 https://shop.example/x #美食' })).toBe(
      '根据提示词“宫保鸡丁”,描述这张图片'
    )
    expect(renderPrompt(p, { tags: ['1girl', 'red hair'] })).toBe(
      '根据提示词“1girl、red hair”,描述这张图片'
    )
    // nothing to inject: the plain mode instead of empty quotes
    expect(renderPrompt(p, {})).toBe('描述这张图片')
  })

  it('refine uses the raw caption only', () => {
    const p = preset('refine')
    expect(renderPrompt(p, { knowledge: ['外滩'], rawCaption: '夜晚的外滩' })).toBe(
      '根据提示词“夜晚的外滩”,描述这张图片'
    )
    expect(cleanContent('a “quoted”\n\ntext   www.example.com')).toBe('a "quoted" text')
  })
})

describe('structured preset', () => {
  it('asks for the Glossa fields and appends knowledge', () => {
    const text = renderPrompt(preset('structured-en'), { knowledge: ['The Bund'] })
    expect(text).toContain('subject, appearance, action')
    expect(text).toContain('lighting, text')
    expect(text).toMatch(/Known about this image: The Bund$/)
  })

  it('parses fenced JSON and rejects invalid answers with a reason', () => {
    const ok = parseStructuredCaption(
      '```json\n{"subject": "一只猫", "style": "写实", "text": ""}\n```'
    )
    expect(ok).toEqual({ ok: true, fields: { subject: '一只猫', style: '写实' } })
    expect(parseStructuredCaption('a cat on a mat')).toEqual({
      ok: false,
      error: 'the answer contains no JSON object'
    })
    const unknown = parseStructuredCaption('{"subject": "cat", "mood": "calm"}')
    expect(unknown.ok ? '' : unknown.error).toBe('unknown fields: mood')
    const wrongType = parseStructuredCaption('{"subject": 3}')
    expect(wrongType.ok).toBe(false)
    expect(parseStructuredCaption('{"subject": "a", ').ok).toBe(false)
  })
})

describe('user presets', () => {
  it('validate ids, placeholders and built-in names', () => {
    const p = validatePreset({
      id: 'my-style',
      name: 'Mine',
      lang: 'en',
      template: 'Describe {content}',
      output: 'text',
      content: 'knowledge'
    })
    expect(p.template).toBe('Describe {content}')
    expect(() => validatePreset({ ...p, template: 'Describe {thing}' })).toThrow(
      /only placeholder is \{content\}/
    )
    expect(() => validatePreset({ ...p, id: 'hunyuan-zh' })).toThrow(/built-in preset/)
    expect(() => validatePreset({ ...p, id: 'Bad Id' })).toThrow()
  })
})
