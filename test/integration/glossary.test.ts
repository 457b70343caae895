/**
 * Issue 5 through the core: a 廣州塔/广州塔 glossary imported from the interchange CSV and applied
 * to 50 fixture captions (preview, apply as one undoable batch, idempotence, unticking), and bad
 * glossary files, formula-safe export and round trips through the API.
 */
import fs from 'node:fs'
import path from 'node:path'
import iconv from 'iconv-lite'
import { describe, expect, it } from 'vitest'
import { FIX, captions, changedIds, useGlossaryLibrary } from './glossary-library'

const lib = useGlossaryLibrary()

describe('apply a 廣州塔/广州塔 glossary to 50 fixture captions', () => {
  it('previews exactly the expected images with diffs and reasons', async () => {
    const p = await lib.core.call('glossary.preview', {
      target: { datasetId: lib.datasetId },
      limit: 5000
    })
    expect(p.scanned).toBe(50)
    expect(p.entries).toBe(5)
    expect(p.total).toBe(changedIds.length)
    expect(p.truncated).toBe(false)
    expect(p.proposals.map((x) => x.imageId)).toEqual(changedIds.map(lib.id))
    for (const prop of p.proposals) {
      const c = captions.find((x) => lib.id(x.id) === prop.imageId)!
      expect(prop.fileName).toBe(path.posix.basename(c.relPath))
      expect(prop.reasons.length).toBeGreaterThan(0)
      for (const lang of ['zh', 'en'] as const) {
        const ch = prop[lang]
        expect(ch?.after ?? null, `${c.id} ${lang}`).toBe(c.expect[lang])
        if (!ch) continue
        expect(ch.before).toBe(c[lang])
        // the diff rebuilds both sides
        expect(
          ch.diff
            .filter((d) => d.op !== '+')
            .map((d) => d.text)
            .join('')
        ).toBe(ch.before)
        expect(
          ch.diff
            .filter((d) => d.op !== '-')
            .map((d) => d.text)
            .join('')
        ).toBe(ch.after)
      }
    }
    const c01 = p.proposals.find((x) => x.imageId === lib.id('c01'))!
    expect(c01.reasons).toContainEqual(
      expect.objectContaining({
        lang: 'zh',
        action: 'replace',
        detail: '廣州塔 → 广州塔',
        entry: '广州塔 / Canton Tower'
      })
    )
    const capped = await lib.core.call('glossary.preview', {
      target: { datasetId: lib.datasetId },
      limit: 3
    })
    expect(capped).toMatchObject({ total: changedIds.length, truncated: true })
    expect(capped.proposals).toHaveLength(3)
    // a preview writes nothing
    expect(await lib.core.call('history.list', {})).toEqual([])
  })

  it('applies as one undoable batch; a second apply changes nothing; undo restores the bytes', async () => {
    const before = lib.dumpCaptions()
    const r = await lib.core.call('glossary.apply', { target: { datasetId: lib.datasetId } })
    expect(r.changed).toBe(changedIds.length)
    expect(r.batchId).not.toBeNull()
    for (const c of captions) {
      expect({ id: c.id, ...(await lib.texts(c.id)) }).toEqual({
        id: c.id,
        zh: c.expect.zh ?? c.zh,
        en: c.expect.en ?? c.en
      })
    }
    // the structured caption kept fields that render to its new text
    const c11 = await lib.core.call('images.get', { id: lib.id('c11') })
    expect(c11.captions.zh?.fields).toEqual({ subject: '宫保鸡丁，一盘鸡肉', background: '桌子' })
    expect(c11.captions.zh?.source).toBe('import')

    const history = await lib.core.call('history.list', {})
    expect(history).toHaveLength(1)
    expect(history[0]).toMatchObject({ id: r.batchId, undone: false })

    const again = await lib.core.call('glossary.apply', { target: { datasetId: lib.datasetId } })
    expect(again).toEqual({ changed: 0, batchId: null })
    expect(await lib.core.call('history.list', {})).toHaveLength(1)
    expect(
      (await lib.core.call('glossary.preview', { target: { datasetId: lib.datasetId } })).total
    ).toBe(0)

    await lib.core.call('history.undo', {})
    expect(lib.dumpCaptions()).toEqual(before)
  })

  it('leaves unticked images alone', async () => {
    const unticked = [lib.id('c01'), lib.id('c09'), lib.id('c15')]
    const r = await lib.core.call('glossary.apply', {
      target: { datasetId: lib.datasetId },
      excludeImageIds: unticked
    })
    expect(r.changed).toBe(changedIds.length - 3)
    for (const c of captions) {
      const t = await lib.texts(c.id)
      const skip = unticked.includes(lib.id(c.id))
      expect({ id: c.id, ...t }).toEqual({
        id: c.id,
        zh: skip ? c.zh : (c.expect.zh ?? c.zh),
        en: skip ? c.en : (c.expect.en ?? c.en)
      })
    }
  })

  it('applies to a selection or a filter only', async () => {
    const sel = await lib.core.call('glossary.apply', {
      target: { datasetId: lib.datasetId, imageIds: [lib.id('c02'), lib.id('c37')] }
    })
    expect(sel.changed).toBe(1)
    expect(await lib.texts('c02')).toEqual({
      zh: '广州塔高耸入云。',
      en: 'Canton Tower rises into the clouds.'
    })
    expect(await lib.texts('c03')).toEqual({
      zh: '小蠻腰和珠江夜景。',
      en: 'The Guangzhou TV Tower and the Pearl River.'
    })
    const f = await lib.core.call('glossary.preview', {
      target: { datasetId: lib.datasetId, filter: { folder: 'characters/xiaoming' } }
    })
    expect(f.proposals.map((p) => p.imageId)).toEqual([lib.id('c15')])
  })
})

describe('glossary files through the API', () => {
  it('gives row-level errors for bad rows and imports the good ones', async () => {
    const big = 'x'.repeat(10 * 1024 * 1024)
    const csv = [
      'name_zh,name_en,aliases_zh,kind,mode',
      '白云山,Baiyun Mountain,白雲山,landmark,',
      "=cmd|' /C calc'!A0,Evil,,term,",
      ',,一座山,landmark,',
      '白雲山,Baiyun Again,,landmark,',
      `长隆,${big},,landmark,`,
      '越秀公园,Yuexiu Park,,park,',
      '陈家祠,Chen Clan Academy,,landmark,replace-alias'
    ].join('\r\n')
    const r = await lib.core.call('glossary.import', { file: lib.writeTemp('bad.csv', csv) })
    expect(r.added).toBe(2)
    const rows = r.rowErrors.map((e) => e.row)
    expect(rows).toEqual([3, 4, 5, 6, 7])
    expect(r.rowErrors[0]).toMatchObject({ row: 3, column: 'name_zh' })
    expect(r.rowErrors[0]!.message).toMatch(/formula/)
    expect(r.rowErrors[1]!.message).toMatch(/name/)
    expect(r.rowErrors[2]!.message).toMatch(/duplicate name "白雲山" \(first on row 2\)/)
    expect(r.rowErrors[3]).toMatchObject({ row: 6, column: 'name_en' })
    expect(r.rowErrors[4]).toMatchObject({ row: 7, column: 'kind' })
    const names = (await lib.core.call('glossary.list', {})).map((e) => e.entry.name.zh)
    expect(names).toEqual(['白云山', '陈家祠'])
  })

  it('refuses a file in the wrong encoding or with an unknown column, naming the file', async () => {
    const gbk = lib.writeTemp(
      'gbk.csv',
      iconv.encode('name_zh,name_en\r\n广州塔,Canton Tower\r\n', 'gbk')
    )
    await expect(lib.core.call('glossary.import', { file: gbk })).rejects.toMatchObject({
      code: 'INVALID_ARGS',
      message: expect.stringMatching(/gbk\.csv: not UTF-8 \(it looks like GB18030\)/)
    })
    const unknown = lib.writeTemp('cols.csv', 'name_zh,colour\r\n广州塔,red\r\n')
    await expect(lib.core.call('glossary.import', { file: unknown })).rejects.toMatchObject({
      code: 'INVALID_ARGS',
      message: expect.stringMatching(/cols\.csv: unknown column "colour"/)
    })
    await expect(
      lib.core.call('glossary.import', { file: path.join(lib.dir, 'missing.csv') })
    ).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect(await lib.core.call('glossary.list', {})).toEqual([])
  })

  it('re-importing updates by name; export never writes a formula cell and round-trips', async () => {
    const again = await lib.core.call('glossary.import', {
      file: path.join(FIX, 'landmarks.csv'),
      datasetId: lib.datasetId
    })
    expect(again).toEqual({ added: 0, updated: 0, unchanged: 5, rowErrors: [] })
    await lib.core.call('glossary.save', {
      datasetId: lib.datasetId,
      entry: {
        name: { en: '=HYPERLINK("http://x","y")', zh: '@SUM(A1)' },
        aliases: { zh: ['+1+1', '-cmd'], en: ['\tTab'] },
        facts: { en: '-2+3' }
      }
    })
    const out = path.join(lib.dir, 'export.csv')
    const res = await lib.core.call('glossary.export', { file: out, datasetId: lib.datasetId })
    expect(res).toEqual({ file: out, entries: 6 })
    const text = fs.readFileSync(out, 'utf8')
    expect(text.startsWith('\uFEFF')).toBe(true)
    const { parse } = await import('csv-parse/sync')
    const cells = (parse(text, { bom: true }) as string[][]).flat()
    for (const cell of cells) expect(cell, cell).not.toMatch(/^[=+\-@\t\r]/)
    await expect(
      lib.core.call('glossary.export', { file: out, datasetId: lib.datasetId })
    ).rejects.toMatchObject({
      code: 'CONFLICT'
    })
    // into another dataset: the same entries come back
    const other = await lib.core.call('datasets.create', { name: 'other' })
    const back = await lib.core.call('glossary.import', { file: out, datasetId: other.id })
    expect(back).toEqual({ added: 6, updated: 0, unchanged: 0, rowErrors: [] })
    const strip = (l: { entry: unknown }[]) => l.map((e) => e.entry)
    expect(
      strip(await lib.core.call('glossary.list', { datasetId: other.id, includeGlobal: false }))
    ).toEqual(
      strip(
        await lib.core.call('glossary.list', { datasetId: lib.datasetId, includeGlobal: false })
      )
    )
    // JSON too
    const json = path.join(lib.dir, 'export.json')
    await lib.core.call('glossary.export', { file: json, datasetId: lib.datasetId })
    expect(JSON.parse(fs.readFileSync(json, 'utf8'))).toMatchObject({ format: 'glossa.glossary' })
  })
})
