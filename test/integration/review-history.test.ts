/**
 * The history of one image with two reviewer names: each journal entry records who made it (the
 * 'reviewer' setting), when, and before/after text to diff; any entry can be reverted as a new
 * undoable batch, including a delete (the image comes back with its captions and tags).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCore, type Core } from '../../src-main/core'
import { closeDatabase, openDatabase } from '../../src-main/core/db/open'
import { insertImage } from '../db/helpers'

let dir: string
let core: Core
let img: number
let other: number

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glossa-history-'))
  const db = openDatabase(path.join(dir, 'library.sqlite'))
  const ds = Number(
    db.prepare("INSERT INTO datasets (name, created_at) VALUES ('h', 1)").run().lastInsertRowid
  )
  img = insertImage(db, ds, {
    fileName: 'h.png',
    zh: '一座高塔',
    en: 'a tall tower',
    tags: ['tower']
  })
  other = insertImage(db, ds, { fileName: 'o.png', en: 'an orange cat', tags: ['cat', 'orange'] })
  closeDatabase(db)
  core = createCore({ dataDir: dir })
})

afterAll(async () => {
  await core.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('history of one image', () => {
  it('shows who changed what and when, with diffs, and reverts one entry', async () => {
    await core.call('settings.set', { key: 'reviewer', value: 'Alice' })
    await core.call('captions.setText', { imageId: img, lang: 'en', text: 'the Canton Tower' })
    await core.call('settings.set', { key: 'reviewer', value: 'Bob' })
    await core.call('captions.setText', {
      imageId: img,
      lang: 'en',
      text: 'the Canton Tower at night'
    })
    await core.call('bulk.apply', {
      selection: { ids: [img] },
      op: { kind: 'tags.add', tags: ['night'] }
    })
    await core.call('images.setStatus', { ids: [img], status: 'approved' })
    // someone else's image: not in this history
    await core.call('captions.setText', { imageId: other, lang: 'en', text: 'a cat' })

    const h = await core.call('history.image', { imageId: img })
    expect(h.map((e) => [e.actor, e.kind, e.lang, e.beforeText, e.afterText])).toEqual([
      ['Bob', 'status', null, 'unreviewed', 'approved'],
      ['Bob', 'tags', null, 'tower', 'tower, night'],
      ['Bob', 'caption', 'en', 'the Canton Tower', 'the Canton Tower at night'],
      ['Alice', 'caption', 'en', 'a tall tower', 'the Canton Tower']
    ])
    expect(h[3]!.createdAt).toBeLessThanOrEqual(h[0]!.createdAt)
    expect(h[3]!.after).toMatchObject({
      text: 'the Canton Tower',
      source: 'manual',
      updated_by: 'Alice'
    })
    expect(h.every((e) => !e.undone)).toBe(true)

    // revert Alice's edit: the caption goes back to the imported text, as Bob's new batch
    const r = await core.call('history.revert', { entryId: h[3]!.entryId })
    expect(r.items).toBe(1)
    const cap = (await core.call('images.get', { id: img })).captions.en
    expect(cap).toMatchObject({ text: 'a tall tower', source: 'import', updatedBy: 'Bob' })
    expect((await core.call('images.get', { id: img })).tags).toEqual(['tower', 'night'])
    const h2 = await core.call('history.image', { imageId: img })
    expect(h2[0]).toMatchObject({
      actor: 'Bob',
      batchId: r.batchId,
      beforeText: 'the Canton Tower at night',
      afterText: 'a tall tower'
    })
    expect(h2[0]!.label).toContain('Revert')
    // the revert is itself undoable
    await core.call('history.undo', {})
    expect((await core.call('images.get', { id: img })).en).toBe('the Canton Tower at night')
    const h3 = await core.call('history.image', { imageId: img })
    expect(h3[0]!.undone).toBe(true)
    await expect(core.call('history.revert', { entryId: h3[0]!.entryId })).rejects.toMatchObject({
      code: 'CONFLICT'
    })
    await expect(core.call('history.revert', { entryId: 999_999 })).rejects.toMatchObject({
      code: 'NOT_FOUND'
    })
  })

  it('a delete shows in the history and reverting it restores the image', async () => {
    await core.call('settings.set', { key: 'reviewer', value: 'Alice' })
    const before = await core.call('images.get', { id: other })
    await core.call('bulk.apply', { selection: { ids: [other] }, op: { kind: 'delete' } })
    await expect(core.call('images.get', { id: other })).rejects.toMatchObject({
      code: 'NOT_FOUND'
    })
    const h = await core.call('history.image', { imageId: other })
    expect(h[0]).toMatchObject({
      actor: 'Alice',
      kind: 'image',
      beforeText: 'o.png',
      afterText: null
    })
    await core.call('settings.set', { key: 'reviewer', value: 'Bob' })
    // reverting an older entry of a deleted image is refused with the reason
    await expect(core.call('history.revert', { entryId: h[1]!.entryId })).rejects.toMatchObject({
      code: 'CONFLICT'
    })
    await core.call('history.revert', { entryId: h[0]!.entryId })
    expect(await core.call('images.get', { id: other })).toEqual(before)
    expect((await core.call('history.image', { imageId: other }))[0]).toMatchObject({
      actor: 'Bob',
      kind: 'image',
      beforeText: null,
      afterText: 'o.png'
    })
    expect((await core.call('images.get', { id: other })).tags).toEqual(['cat', 'orange'])
    expect((await core.call('images.page', { filter: { search: 'a cat' } })).total).toBe(1)
  })
})
