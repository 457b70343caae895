/** Tag-list captions on import (issue 12 item 4): what is tags, what is text, what is both. */
import { describe, expect, it } from 'vitest'
import { splitCaption } from '../../src-main/core/import/caption-kind'

describe('splitCaption', () => {
  it('a booru tag list is tags, in order, tidied (separators, spacing, empties, repeats)', () => {
    expect(splitCaption('1girl, solo ,long hair,, smile , , blush, Solo')).toEqual({
      kind: 'tags',
      text: '',
      tags: ['1girl', 'solo', 'long hair', 'smile', 'blush']
    })
    expect(splitCaption('1girl, long_hair').tags).toEqual(['1girl', 'long_hair'])
    expect(splitCaption('landscape, mountains, lake, sunset').kind).toBe('tags')
  })

  it('prose stays text, including Chinese clauses and short English lists in a sentence', () => {
    for (const s of [
      'A girl standing in a field of flowers.',
      'A girl, smiling, long hair flowing in the wind.',
      '一位少女，坐在咖啡馆的窗边，阳光洒在桌上',
      '一位女孩站在广州塔前',
      'red, white',
      'a cat'
    ])
      expect(splitCaption(s), s).toMatchObject({ kind: 'text', text: s, tags: [] })
  })

  it('a sentence with tags keeps the sentence as text', () => {
    expect(splitCaption('A girl in a park. 1girl, solo, smile')).toEqual({
      kind: 'mixed',
      text: 'A girl in a park.',
      tags: ['1girl', 'solo', 'smile']
    })
    expect(splitCaption('a photo of a girl standing in the rain, 1girl, solo, long hair')).toEqual({
      kind: 'mixed',
      text: 'a photo of a girl standing in the rain',
      tags: ['1girl', 'solo', 'long hair']
    })
    expect(splitCaption('A quiet street at dusk.\nstreet, dusk, lamps, rain')).toEqual({
      kind: 'mixed',
      text: 'A quiet street at dusk.',
      tags: ['street', 'dusk', 'lamps', 'rain']
    })
  })

  it('Chinese tags with ASCII commas are tags', () => {
    expect(splitCaption('女孩, 长发, 微笑').tags).toEqual(['女孩', '长发', '微笑'])
  })

  it('the override: tags takes every piece, text keeps everything', () => {
    expect(splitCaption('A girl, smiling', 'tags').tags).toEqual(['A girl', 'smiling'])
    expect(splitCaption('1girl, solo, smile', 'text')).toEqual({
      kind: 'text',
      text: '1girl, solo, smile',
      tags: []
    })
    expect(splitCaption('  ').kind).toBe('empty')
  })
})
