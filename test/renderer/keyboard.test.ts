/**
 * Key bindings (src-renderer/src/hooks/keyboard.ts): key events read as combos the way the
 * settings store them, user overrides merged over the defaults, only changes saved, and what
 * counts as typing (where single-key shortcuts must not fire).
 */
import { describe, expect, it } from 'vitest'
import {
  bindingOverrides,
  comboOf,
  DEFAULT_BINDINGS,
  isTyping,
  mergeBindings,
  showCombo
} from '@renderer/hooks/keyboard'

const key = (k: string, init: KeyboardEventInit = {}): KeyboardEvent =>
  new KeyboardEvent('keydown', { key: k, ...init })

describe('comboOf', () => {
  it('reads plain keys, named keys and Space', () => {
    expect(comboOf(key('a'))).toBe('a')
    expect(comboOf(key('ArrowDown'))).toBe('ArrowDown')
    expect(comboOf(key(' '))).toBe('Space')
    expect(comboOf(key('Escape'))).toBe('Escape')
  })

  it('keeps Shift inside printable characters but names it for named keys', () => {
    expect(comboOf(key('?', { shiftKey: true }))).toBe('?')
    expect(comboOf(key('A', { shiftKey: true }))).toBe('A')
    expect(comboOf(key('ArrowUp', { shiftKey: true }))).toBe('Shift+ArrowUp')
  })

  it('writes Ctrl and ⌘ alike as Mod, with the letter in lower case', () => {
    expect(comboOf(key('z', { ctrlKey: true }))).toBe('Mod+z')
    expect(comboOf(key('z', { metaKey: true }))).toBe('Mod+z')
    expect(comboOf(key('Z', { ctrlKey: true, shiftKey: true }))).toBe('Mod+Shift+z')
    expect(comboOf(key('y', { ctrlKey: true }))).toBe('Mod+y')
    expect(comboOf(key('k', { altKey: true }))).toBe('Alt+k')
  })

  it('ignores a lone modifier and IME composition keys', () => {
    for (const k of ['Control', 'Meta', 'Shift', 'Alt', 'AltGraph', 'CapsLock', 'Process'])
      expect(comboOf(key(k))).toBeNull()
  })

  it('every default binding is a combo comboOf can produce (round trip through an event)', () => {
    for (const combos of Object.values(DEFAULT_BINDINGS))
      for (const c of combos) {
        const parts = c.split('+')
        const k = parts[parts.length - 1]!
        const e = key(k === 'Space' ? ' ' : k, {
          ctrlKey: parts.includes('Mod'),
          altKey: parts.includes('Alt'),
          shiftKey: parts.includes('Shift')
        })
        expect(comboOf(e)).toBe(c)
      }
  })
})

describe('showCombo', () => {
  it('shows combos the way the user reads them', () => {
    expect(showCombo('Mod+Shift+z')).toMatch(/^(Ctrl|⌘)\+Shift\+Z$/)
    expect(showCombo('ArrowDown')).toBe('↓')
    expect(showCombo('Escape')).toBe('Esc')
    expect(showCombo('a')).toBe('a')
  })
})

describe('mergeBindings / bindingOverrides', () => {
  it('takes a single combo or a list per action and ignores unknown actions and junk', () => {
    const b = mergeBindings({ approve: 'y', next: ['n', 'ArrowDown'], bogus: 'x', reject: [1, ''] })
    expect(b.approve).toEqual(['y'])
    expect(b.next).toEqual(['n', 'ArrowDown'])
    expect(b.reject).toEqual([])
    expect(b.prev).toEqual(DEFAULT_BINDINGS.prev)
    expect('bogus' in b).toBe(false)
  })

  it('falls back to the defaults for a missing or malformed setting', () => {
    expect(mergeBindings(undefined)).toEqual(DEFAULT_BINDINGS)
    expect(mergeBindings('a')).toEqual(DEFAULT_BINDINGS)
    expect(mergeBindings(null)).toEqual(DEFAULT_BINDINGS)
  })

  it('saves only what differs from the defaults, and reads back to the same bindings', () => {
    expect(bindingOverrides(DEFAULT_BINDINGS)).toEqual({})
    const b = { ...DEFAULT_BINDINGS, approve: ['y'], redo: ['Mod+Shift+z'] }
    const saved = bindingOverrides(b)
    expect(saved).toEqual({ approve: 'y', redo: 'Mod+Shift+z' })
    expect(mergeBindings(saved)).toEqual(b)
  })
})

describe('isTyping', () => {
  it('is true in text fields, text areas, selects and editable content only', () => {
    const make = <T extends HTMLElement>(el: T): T => {
      document.body.append(el)
      return el
    }
    expect(isTyping(make(document.createElement('textarea')))).toBe(true)
    expect(isTyping(make(document.createElement('select')))).toBe(true)
    const text = make(document.createElement('input'))
    text.type = 'search'
    expect(isTyping(text)).toBe(true)
    const box = make(document.createElement('input'))
    box.type = 'checkbox'
    expect(isTyping(box)).toBe(false)
    expect(isTyping(make(document.createElement('button')))).toBe(false)
    expect(isTyping(null)).toBe(false)
  })
})
