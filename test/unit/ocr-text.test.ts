import { describe, expect, it } from 'vitest'
import type { Quad } from '../../src-main/core/captioning/ocr/geometry'
import {
  isWatermark,
  lineLang,
  ocrText,
  summariseText,
  type OcrLang,
  type OcrLine
} from '../../src-main/core/captioning/ocr/text'

describe('lineLang', () => {
  it('classifies by script', () => {
    expect(lineLang('广州塔夜景')).toBe('zh')
    expect(lineLang('广州塔，夜景！')).toBe('zh')
    expect(lineLang('Canton Tower at night')).toBe('en')
    expect(lineLang('Café 2024')).toBe('en')
    expect(lineLang('广州塔 Canton Tower')).toBe('mixed')
    // neither script: reads the same in both languages
    expect(lineLang('2024-05-01 18:30')).toBe('mixed')
  })
})

const l = (text: string, lang: OcrLang, watermark = false) => ({ text, lang, watermark })

describe('ocrText', () => {
  it('puts Chinese lines in zh, Latin lines in en, mixed lines in both', () => {
    const lines = [l('欢迎光临', 'zh'), l('Welcome', 'en'), l('No. 8 号', 'mixed')]
    expect(ocrText(lines)).toEqual({ zh: '欢迎光临 No. 8 号', en: 'Welcome No. 8 号' })
    expect(ocrText(lines, { otherScript: 'include' })).toEqual({
      zh: '欢迎光临 Welcome No. 8 号',
      en: '欢迎光临 Welcome No. 8 号'
    })
  })

  it('quotes text of the other script when a language has none of its own (fallback)', () => {
    expect(ocrText([l('广州塔夜景', 'zh')])).toEqual({ zh: '广州塔夜景', en: '广州塔夜景' })
    expect(ocrText([l('广州塔夜景', 'zh')], { otherScript: 'omit' })).toEqual({
      zh: '广州塔夜景',
      en: ''
    })
    expect(ocrText([l('2024', 'mixed'), l('SALE', 'en')])).toEqual({
      zh: '2024 SALE',
      en: '2024 SALE'
    })
  })

  it('leaves watermarks out unless asked', () => {
    const lines = [l('夏日海滩', 'zh'), l('@glossa_studio', 'en', true)]
    expect(ocrText(lines)).toEqual({ zh: '夏日海滩', en: '夏日海滩' })
    expect(ocrText(lines, { includeWatermarks: true })).toEqual({
      zh: '夏日海滩',
      en: '@glossa_studio'
    })
    expect(ocrText([l('@glossa_studio', 'en', true)])).toEqual({ zh: '', en: '' })
    expect(ocrText([])).toEqual({ zh: '', en: '' })
  })
})

/** A horizontal line box with its rect. */
function box(x: number, y: number, w: number, h: number): Pick<OcrLine, 'box' | 'rect'> {
  const quad: Quad = [
    [x, y],
    [x + w, y],
    [x + w, y + h],
    [x, y + h]
  ]
  return { box: quad, rect: [x, y, w, h] }
}

describe('isWatermark (800 × 600 image: small means ≤ 36 px thick)', () => {
  const W = 800
  const H = 600
  const wm = (text: string, b: Pick<OcrLine, 'box' | 'rect'>, contrast = 0.8) =>
    isWatermark({ text, contrast, ...b }, W, H)

  it('small text in a corner is a watermark, whatever it says', () => {
    expect(wm('@glossa_studio', box(650, 564, 136, 24))).toBe(true)
    expect(wm('2024/05/01', box(10, 10, 120, 20))).toBe(true)
    expect(wm('广州塔夜景', box(671, 559, 115, 29))).toBe(true)
  })

  it('large text in a corner, or small text mid-scene, is not', () => {
    expect(wm('SALE', box(600, 500, 190, 90))).toBe(false)
    expect(wm('出口', box(380, 300, 60, 24))).toBe(false)
  })

  it('credits and addresses count when small or faint, even mid-frame', () => {
    expect(wm('www.example.com', box(320, 290, 200, 22))).toBe(true)
    expect(wm('shutterstock', box(100, 200, 600, 120), 0.2)).toBe(true)
    expect(wm('shutterstock', box(100, 200, 600, 120), 0.8)).toBe(false)
    expect(wm('Photo by Li Wei', box(300, 20, 200, 20))).toBe(true)
  })

  it('small faint text along an edge is a watermark; small crisp text there is not', () => {
    expect(wm('Glossa', box(360, 570, 80, 20), 0.2)).toBe(true)
    expect(wm('Glossa', box(360, 570, 80, 20), 0.8)).toBe(false)
  })
})

describe('summariseText', () => {
  it('separates scene text from watermarks', () => {
    expect(summariseText([])).toEqual({ hasText: false, hasWatermark: false, hasSceneText: false })
    expect(summariseText([{ watermark: true }])).toEqual({
      hasText: true,
      hasWatermark: true,
      hasSceneText: false
    })
    expect(summariseText([{ watermark: false }, { watermark: true }])).toEqual({
      hasText: true,
      hasWatermark: true,
      hasSceneText: true
    })
  })
})
