import iconv from 'iconv-lite'
import { parse as parseCsv } from 'csv-parse/sync'
import { describe, expect, it } from 'vitest'
import {
  exportGlossaryCsv,
  exportGlossaryJson,
  GlossaryEntry,
  importGlossaryCsv,
  importGlossaryJson,
  joinList,
  splitList
} from '../../src-main/core/glossary'

const HEADER = 'name_zh,name_en,aliases_zh,aliases_en,kind,mode'

describe('glossary CSV import', () => {
  it('accepts a BOM, any column order and header case, and defaults the mode', () => {
    const csv =
      '\uFEFF Kind ,NAME_EN,aliases_en\nlandmark,Canton Tower,canton tower|CANTON TOWER\n,Kung Pao Chicken,\n'
    const r = importGlossaryCsv(new TextEncoder().encode(csv))
    expect(r.errors).toEqual([])
    expect(r.entries).toHaveLength(2)
    expect(r.entries[0]).toMatchObject({
      id: 'Canton Tower',
      name: { en: 'Canton Tower' },
      kind: 'landmark',
      aliases: { zh: [], en: ['canton tower', 'CANTON TOWER'] },
      injection: { mode: 'replace-alias', target: 'subject' }
    })
    expect(r.entries[1]?.kind).toBe('term')
  })

  it('refuses a file that is not UTF-8, naming the file and the likely encoding', () => {
    const gbk = iconv.encode(
      `${HEADER}\n广州塔,Canton Tower,廣州塔|小蛮腰,,landmark,\n宫保鸡丁,,,,food,\n`,
      'gb18030'
    )
    expect(() => importGlossaryCsv(gbk, 'old.csv')).toThrow(
      /old\.csv: not UTF-8 \(it looks like GB18030\)/
    )
  })

  it('refuses unknown, repeated and missing name columns, naming them', () => {
    expect(() => importGlossaryCsv('name_zh,colour\n红,red\n', 'g.csv')).toThrow(
      /g\.csv: unknown column "colour"/
    )
    expect(() => importGlossaryCsv('name_zh,name_zh\n红,红\n')).toThrow(
      /column "name_zh" appears twice/
    )
    expect(() => importGlossaryCsv('kind,tags\nfood,x\n')).toThrow(
      /needs a name_zh or name_en column/
    )
    expect(() => importGlossaryCsv('')).toThrow(/no header row/)
  })

  it('gives row-level errors for malformed rows and imports the good ones', () => {
    const big = 'x'.repeat(10 * 1024 * 1024)
    const csv = [
      `${HEADER},keywords`,
      '广州塔,Canton Tower,廣州塔,,landmark,,',
      ',,,,food,,', // row 3: no name
      '廣州塔,,,,landmark,,', // row 4: duplicate of 广州塔 in the other script
      '外滩,,,,building,,', // row 5: bad kind
      '黄鹤楼,,,,landmark,sideways,', // row 6: bad mode
      `大文件,${big},,,term,,`, // row 7: 10 MB cell
      '"=cmd|\' /C calc\'!A0",,,,term,,', // row 8: formula
      '武汉,,,,term,,/[unclosed/', // row 9: bad regex
      '长江,,,,term,,,extra', // row 10: too many cells
      "'=1+1,,,,term,,", // row 11: our own export escape: the name is =1+1
      '-cmd,,,,term,,', // row 12: a formula-looking minus
      '+86,,,,term,,', // row 13: + before a digit is fine
      '宫保鸡丁,Kung Pao Chicken,,,food,insert-if-absent,"/kung\\|gong/i|宫保"',
      '"unterminated,,,,,,'
    ].join('\n')
    const r = importGlossaryCsv(csv)
    const byRow = (n: number): string[] =>
      r.errors.filter((e) => e.row === n).map((e) => `${e.column ?? ''}: ${e.message}`)
    expect(byRow(3).join()).toMatch(/needs name\.zh or name\.en/)
    expect(byRow(4).join()).toMatch(/duplicate name "廣州塔" \(first on row 2\)/)
    expect(byRow(5).join()).toMatch(/^kind:/)
    expect(byRow(6).join()).toMatch(/^injection\.mode:/)
    expect(byRow(7)).toEqual([`name_en: cell is ${big.length} characters; the limit is 10000`])
    expect(byRow(8)).toEqual([
      'name_zh: cell starts with "=" and would run as a spreadsheet formula'
    ])
    expect(byRow(9).join()).toMatch(/invalid regex/)
    expect(byRow(10).join()).toMatch(/8 cells but the header has 7 columns/)
    expect(byRow(12).join()).toMatch(/starts with "-"/)
    expect(byRow(15).join()).toMatch(/Quote Not Closed/)
    expect(r.entries.map((e) => e.name.zh)).toEqual(['广州塔', '=1+1', '+86', '宫保鸡丁'])
    const kp = r.entries.find((e) => e.name.zh === '宫保鸡丁')
    expect(kp?.triggers).toMatchObject({ keywords: ['宫保'], regex: ['/kung|gong/i'] })
    expect(kp?.injection.mode).toBe('insert-if-absent')
  })
})

describe('glossary export', () => {
  const risky = GlossaryEntry.parse({
    id: 'r',
    name: { zh: '=HYPERLINK("http://x","y")', en: '@SUM(A1)' },
    aliases: { zh: ['+cmd', '-2+3', '普通'], en: ['\tTab start', '\rCR start', 'a|b'] },
    facts: { en: '-10 degrees, "quoted"\nnew line' },
    triggers: {
      tags: [],
      keywords: ['k'],
      regex: ['a\\|b|c', '/x\\d+/i'],
      paths: ['a/**'],
      images: ['img-1']
    },
    injection: { mode: 'prepend-trigger', trigger: '=trigger', target: 'style' },
    fixedTraits: ['red scarf']
  })

  it('never writes a cell a spreadsheet would execute', () => {
    const csv = exportGlossaryCsv([risky])
    expect(csv.startsWith('\uFEFF')).toBe(true)
    const cells = (parseCsv(csv, { bom: true }) as string[][]).flat()
    for (const c of cells) expect(c).not.toMatch(/^[=+\-@\t\r]/)
    expect(cells).toContain('\'=HYPERLINK("http://x","y")')
    expect(cells).toContain("'@SUM(A1)")
    expect(cells).toContain("'=trigger")
  })

  it('reads its own CSV back to the same entry (except manual image ids, which CSV omits)', () => {
    const back = importGlossaryCsv(exportGlossaryCsv([risky]))
    expect(back.errors).toEqual([])
    const [e] = back.entries
    expect(e).toEqual({
      ...risky,
      id: risky.name.zh,
      triggers: { ...risky.triggers, regex: ['/a\\|b|c/i', '/x\\d+/i'], images: [] }
    })
  })

  it('round-trips JSON exactly and reports bad JSON entries per row', () => {
    const json = exportGlossaryJson([risky])
    expect(importGlossaryJson(json)).toEqual({ entries: [risky], errors: [] })
    const r = importGlossaryJson(
      JSON.stringify([
        { name: { zh: '甲' } },
        { name: {} },
        { name: { zh: '甲' } },
        { name: { en: 'B' }, bogus: 1 }
      ])
    )
    expect(r.entries.map((e) => [e.id, e.name.zh])).toEqual([['entry-1', '甲']])
    expect(r.errors.map((e) => e.row)).toEqual([2, 3, 4])
    expect(() => importGlossaryJson('{"x":1}', 'g.json')).toThrow(/g\.json: expected/)
    expect(() => importGlossaryJson('{', 'g.json')).toThrow(/g\.json: not valid JSON/)
  })

  it('escapes | and \\ in list cells', () => {
    const items = ['a|b', 'c\\', '\\|', 'plain', 're\\d']
    expect(splitList(joinList(items))).toEqual(items)
  })
})
