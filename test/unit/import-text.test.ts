import iconv from 'iconv-lite'
import { describe, expect, it } from 'vitest'
import { decodeText } from '../../src-main/core/import/text'
import { conceptForFolder, parseKohyaFolder } from '../../src-main/core/import/kohya'
import { isImageName } from '../../src-main/core/import/scan'

describe('sidecar decoding', () => {
  const zh = '一座高塔，广州塔在夜晚发光'
  it.each([
    ['UTF-8', Buffer.from(`${zh}\n`), 'utf-8'],
    [
      'UTF-8 with BOM',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(zh)]),
      'utf-8-bom'
    ],
    [
      'UTF-16LE with BOM',
      Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(zh, 'utf-16le')]),
      'utf-16le'
    ],
    [
      'UTF-16BE with BOM',
      Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(zh, 'utf-16be')]),
      'utf-16be'
    ],
    ['GBK', iconv.encode(zh, 'gbk'), 'gb18030'],
    ['GB18030 (four-byte 𠮷)', iconv.encode(`${zh}𠮷`, 'gb18030'), 'gb18030']
  ])('%s', (_name, bytes, encoding) => {
    const d = decodeText(bytes)
    expect(d.encoding).toBe(encoding)
    expect(d.text).toBe(encoding === 'gb18030' && _name.includes('𠮷') ? `${zh}𠮷` : zh)
  })

  it('decodes very short GBK text that statistics cannot place', () => {
    expect(decodeText(iconv.encode('广州塔夜景', 'gbk'))).toEqual({
      text: '广州塔夜景',
      encoding: 'gb18030'
    })
  })

  it('normalises CRLF and CR, keeps inner blank lines, trims trailing newlines only', () => {
    expect(decodeText(Buffer.from('a tower\r\nline two\r\n\r\nfour  \r\n\r\n')).text).toBe(
      'a tower\nline two\n\nfour  '
    )
    expect(decodeText(Buffer.from('one\rtwo\r')).text).toBe('one\ntwo')
  })

  it('falls back to a legacy single-byte encoding rather than failing', () => {
    const d = decodeText(Buffer.from([0x63, 0x61, 0x66, 0xe9]))
    expect(d.text.startsWith('caf')).toBe(true)
    expect(d.text).toHaveLength(4)
  })
})

describe('kohya folders', () => {
  it('parses <repeats>_<name> at the first underscore', () => {
    expect(parseKohyaFolder('10_sks dog')).toEqual({ repeats: 10, concept: 'sks dog' })
    expect(parseKohyaFolder('3_a_b')).toEqual({ repeats: 3, concept: 'a_b' })
    for (const plain of ['0_zero', 'abc_def', '10_', '_x', 'x', '1.5_x', '-2_x'])
      expect(parseKohyaFolder(plain)).toBeNull()
  })
  it('takes the nearest kohya ancestor, else the folder name, else the root kohya name', () => {
    expect(conceptForFolder('10_sks dog/close ups')).toEqual({ concept: 'sks dog', repeats: 10 })
    expect(conceptForFolder('people/alice')).toEqual({ concept: 'alice', repeats: null })
    expect(conceptForFolder('')).toEqual({ concept: '', repeats: null })
    expect(conceptForFolder('', '5_cats')).toEqual({ concept: 'cats', repeats: 5 })
    expect(conceptForFolder('sub', '5_cats')).toEqual({ concept: 'cats', repeats: 5 })
  })
  it('recognises image extensions in any letter case', () => {
    for (const n of [
      'a.PNG',
      'b.Jpg',
      'c.jpeg',
      'd.WEBP',
      'e.bmp',
      'f.GIF',
      'g.tif',
      'h.TIFF',
      'i.avif'
    ])
      expect(isImageName(n)).toBe(true)
    for (const n of ['a.txt', 'b.caption', 'c.svg', 'png']) expect(isImageName(n)).toBe(false)
  })
})
