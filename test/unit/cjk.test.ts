import { describe, expect, it } from 'vitest'
import { cjkGrams, guessLang, isAllCjk } from '../../src-main/core/captions/text/cjk'

describe('cjkGrams', () => {
  it('spaces out CJK characters and breaks at other text', () => {
    expect(cjkGrams('一只橘猫')).toBe('一 只 橘 猫')
    expect(cjkGrams('广州，塔')).toBe('广 州 0 塔')
    expect(cjkGrams('a 广州 tower 塔!')).toBe('广 州 0 塔')
    expect(cjkGrams('no chinese here')).toBe('')
  })
})

describe('isAllCjk', () => {
  it('accepts only CJK text', () => {
    expect(isAllCjk('州塔')).toBe(true)
    expect(isAllCjk('猫')).toBe(true)
    expect(isAllCjk('a猫')).toBe(false)
    expect(isAllCjk('  ')).toBe(false)
  })
})

describe('guessLang', () => {
  it('calls mostly-Han text Chinese and the rest English', () => {
    expect(guessLang('一只橘猫坐在广州塔前')).toBe('zh')
    expect(guessLang('一只橘猫坐在 Canton Tower 前')).toBe('zh')
    expect(guessLang('a cat in front of the Canton Tower (广州塔)')).toBe('en')
    expect(guessLang('1girl, solo, smile')).toBe('en')
    expect(guessLang('')).toBe('en')
  })
})
