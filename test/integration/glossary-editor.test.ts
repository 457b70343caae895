/**
 * Issue 5 through the core: glossary entries (uniqueness across scripts, global shadowing,
 * manual assignment), knowledge for Hunyuan's insert_content prompt, lint, 简/繁 conversion, and
 * the structured renderer/parser behind captions.setFields / setText and the token budgets.
 */
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { FIX, useGlossaryLibrary } from './glossary-library'

const lib = useGlossaryLibrary()

describe('entries, knowledge and lint', () => {
  it('saves, refuses a second entry with the same name in any script, shadows globals, deletes', async () => {
    const list = await lib.core.call('glossary.list', { datasetId: lib.datasetId })
    expect(list).toHaveLength(5)
    const tower = list.find((e) => e.entry.name.zh === '广州塔')!
    expect(tower).toMatchObject({ datasetId: lib.datasetId, assigned: 0 })
    await expect(
      lib.core.call('glossary.save', {
        datasetId: lib.datasetId,
        entry: { name: { zh: '廣州塔' } }
      })
    ).rejects.toMatchObject({ code: 'CONFLICT' })
    await expect(
      lib.core.call('glossary.save', {
        datasetId: lib.datasetId,
        entry: { name: { zh: '某地' }, triggers: { regex: ['(unclosed'] } }
      })
    ).rejects.toMatchObject({ code: 'INVALID_ARGS', message: expect.stringMatching(/regex/) })
    // a global entry with the same name is shadowed inside the dataset
    const global = await lib.core.call('glossary.save', {
      entry: { name: { zh: '广州塔', en: 'Global Tower' } }
    })
    expect(global.datasetId).toBeNull()
    const p = await lib.core.call('glossary.preview', {
      target: { datasetId: lib.datasetId, imageIds: [lib.id('c01')] }
    })
    expect(p.entries).toBe(5)
    expect(p.proposals[0]!.en?.after).toBe('The Canton Tower glows at night.')
    // update: one more alias; then delete
    const upd = await lib.core.call('glossary.save', {
      id: tower.id,
      entry: {
        ...tower.entry,
        aliases: { ...tower.entry.aliases, zh: [...tower.entry.aliases.zh, '一座高塔'] }
      }
    })
    expect(upd.entry.aliases.zh).toContain('一座高塔')
    expect(upd.updatedAt).toBeGreaterThanOrEqual(tower.updatedAt)
    await lib.core.call('glossary.delete', { id: tower.id })
    await expect(lib.core.call('glossary.get', { id: tower.id })).rejects.toMatchObject({
      code: 'NOT_FOUND'
    })
    // now the global entry applies to the dataset
    const p2 = await lib.core.call('glossary.preview', {
      target: { datasetId: lib.datasetId, imageIds: [lib.id('c01')] }
    })
    expect(p2.proposals[0]!.zh?.after).toBe('远处的广州塔在夜色中闪耀。')
    expect(p2.proposals[0]!.reasons[0]!.entryId).toBe(global.id)
  })

  it("gives Hunyuan's insert_content prompt with 、-joined names, and honours manual assignment", async () => {
    const k = await lib.core.call('glossary.knowledge', { imageId: lib.id('c36') })
    expect(k.content).toBe('广州塔、上海外滩')
    expect(k.prompt).toBe('根据提示词\u201c广州塔、上海外滩\u201d,描述这张图片')
    expect(k.entries.map((e) => e.name.en)).toEqual(['Canton Tower', 'The Bund'])
    expect(k.context).toContain('Canton Tower / 广州塔 (landmark)')
    const none = await lib.core.call('glossary.knowledge', { imageId: lib.id('c37') })
    expect(none).toEqual({ content: '', prompt: null, context: '', entries: [] })

    const bund = (await lib.core.call('glossary.list', { datasetId: lib.datasetId })).find(
      (e) => e.entry.name.en === 'The Bund'
    )!
    // the Bund entry has no trigger of its own: an assignment makes it apply to c37
    expect(
      await lib.core.call('glossary.assign', { entryId: bund.id, imageIds: [lib.id('c37')] })
    ).toEqual({ changed: 1, assigned: 1 })
    const k2 = await lib.core.call('glossary.knowledge', { imageId: lib.id('c37') })
    expect(k2.prompt).toBe('根据提示词\u201c上海外滩\u201d,描述这张图片')
    expect(k2.entries[0]!.triggers).toEqual([{ kind: 'image', value: String(lib.id('c37')) }])
    expect((await lib.core.call('glossary.get', { id: bund.id })).assignedImageIds).toEqual([
      lib.id('c37')
    ])
    await lib.core.call('glossary.assign', {
      entryId: bund.id,
      imageIds: [lib.id('c37')],
      assigned: false
    })
    expect(
      (await lib.core.call('glossary.knowledge', { imageId: lib.id('c37') })).prompt
    ).toBeNull()
  })

  it('lints one image and a whole dataset through the API', async () => {
    const one = await lib.core.call('captions.lint', { imageId: lib.id('c02') })
    expect(one.images[0]!.issues).toEqual([
      expect.objectContaining({ rule: 'alias-without-name', lang: 'zh', start: 0, end: 3 })
    ])
    const xm = await lib.core.call('captions.lint', { imageId: lib.id('c15') })
    expect(xm.images[0]!.issues.map((i) => `${i.rule}:${i.lang}`).sort()).toEqual([
      'traits-restated:en',
      'traits-restated:zh',
      'trigger-missing:en',
      'trigger-missing:zh'
    ])
    expect(
      (await lib.core.call('captions.lint', { imageId: lib.id('c37') })).images[0]!.issues
    ).toEqual([])

    await lib.core.call('captions.setText', {
      imageId: lib.id('c38'),
      lang: 'zh',
      text: '雪山下的湖泊，a lake below snowy mountains at dawn。'
    })
    const all = await lib.core.call('captions.lint', {
      target: { datasetId: lib.datasetId },
      rules: ['mixed-language', 'trigger-missing']
    })
    expect(all.scanned).toBe(50)
    expect(all.images.map((i) => i.imageId).sort((a, b) => a - b)).toEqual(
      [lib.id('c15'), lib.id('c18'), lib.id('c38')].sort((a, b) => a - b)
    )
    await lib.core.call('glossary.apply', { target: { datasetId: lib.datasetId } })
    expect(
      (await lib.core.call('captions.lint', { imageId: lib.id('c02') })).images[0]!.issues
    ).toEqual([])
  })
})

describe('简/繁 conversion and the structured editor', () => {
  it('converts a selection as one undoable batch, and back', async () => {
    const before = lib.dumpCaptions()
    const target = {
      datasetId: lib.datasetId,
      imageIds: [lib.id('c05'), lib.id('c12'), lib.id('c22')]
    }
    const t = await lib.core.call('captions.convertScript', { target, to: 'traditional' })
    expect(t.changed).toBe(2) // c22 has no zh caption
    expect((await lib.texts('c05')).zh).toBe('廣州塔在畫面中央。')
    expect((await lib.texts('c05')).en).toBe('Canton Tower in the center.')
    const s = await lib.core.call('captions.convertScript', { target, to: 'simplified' })
    expect(s.changed).toBe(2)
    expect((await lib.texts('c05')).zh).toBe('广州塔在画面中央。')
    expect(await lib.core.call('captions.convertScript', { target, to: 'simplified' })).toEqual({
      changed: 0,
      batchId: null
    })
    await lib.core.call('history.undo', {})
    expect((await lib.texts('c12')).zh).toBe('外灘的夜景燈火輝煌。')
    await lib.core.call('history.undo', {})
    expect(lib.dumpCaptions()).toEqual(before)
  })

  it('setFields renders with the structured renderer; setText stores parsed fields', async () => {
    const fields = {
      subject: '一座高塔',
      background: '城市夜景',
      composition: '仰视',
      style: '写实摄影'
    }
    const res = await lib.core.call('captions.setFields', {
      imageId: lib.id('c28'),
      lang: 'zh',
      fields
    })
    const { text } = await lib.core.call('text.render', { fields, lang: 'zh' })
    expect(text).toBe('一座高塔。背景是城市夜景。画面采用仰视构图，呈现出写实摄影风格。')
    expect(res.caption).toMatchObject({ text, fields, source: 'manual' })

    const typed = 'A tall tower. The background is a city at night.'
    const r2 = await lib.core.call('captions.setText', {
      imageId: lib.id('c28'),
      lang: 'en',
      text: typed
    })
    expect(r2.caption).toMatchObject({
      text: typed,
      fields: { subject: 'A tall tower', background: 'a city at night' }
    })
    expect(await lib.core.call('text.parse', { text: typed, lang: 'en' })).toEqual({
      fields: { subject: 'A tall tower', background: 'a city at night' },
      text: typed,
      canonical: true
    })
    const cleared = await lib.core.call('captions.setText', {
      imageId: lib.id('c28'),
      lang: 'en',
      text: ''
    })
    expect(cleared.caption?.fields).toBeNull()
    await lib.core.call('history.undo', {})
    await lib.core.call('history.undo', {})
    expect((await lib.core.call('images.get', { id: lib.id('c28') })).captions.en).toMatchObject({
      text: 'A tall tower.',
      fields: null,
      source: 'import'
    })
  })

  it('counts tokens for CLIP and mT5: an estimate without a tokenizer, exact with one', async () => {
    const long = '广州塔'.repeat(40)
    const est = await lib.core.call('text.tokens', { text: long })
    expect(est.chars).toBe(120)
    const clip = est.budgets.find((b) => b.encoder === 'clip')!
    expect(clip).toMatchObject({ budget: 77, over: true, exact: false, tokens: 122 })
    expect(clip.cut).toBe(75)
    expect(est.budgets.find((b) => b.encoder === 'mt5')).toMatchObject({
      budget: 256,
      over: false,
      cut: null,
      exact: false
    })
    const tok = path.join(FIX, 'tokenizer', 'tokenizer.json')
    const exact = await lib.core.call('text.tokens', { text: long, tokenizers: { clip: tok } })
    expect(exact.budgets[0]).toMatchObject({ encoder: 'clip', exact: true })
    expect(exact.budgets[1]).toMatchObject({ encoder: 'mt5', exact: false })
  })
})
