/**
 * The journal's entry kinds are one exhaustive map (db/journal.ts): every kind undoes and redoes
 * byte-exactly, and an entry of a kind this build does not know (a newer Glossa, a damaged file)
 * stops the undo with a message naming it, leaving everything as it was, instead of being
 * silently skipped while the batch is marked undone.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { createCore, type Core } from '../../src-main/core'
import { closeDatabase, openDatabase } from '../../src-main/core/db/open'
import { seedLibrary } from './helpers'

let dir = ''
let core: Core | null = null
afterEach(async () => {
  await core?.close()
  core = null
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
})

describe('journal entry kinds', () => {
  it('refuses to undo an entry of an unknown kind and changes nothing', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glossa-kinds-'))
    const file = path.join(dir, 'library.sqlite')
    const db = openDatabase(file)
    seedLibrary(db, { datasets: 1, imagesPerDataset: 20, seed: 3 })
    closeDatabase(db)
    core = createCore({ dataDir: dir, libraryFile: file })
    const page = await core.call('images.page', { filter: {} })
    const id = page.rows[0]!.id
    await core.call('captions.setText', { imageId: id, lang: 'en', text: 'first' })
    await core.call('captions.setText', { imageId: id, lang: 'en', text: 'second' })
    await core.close()
    core = null

    const raw = new Database(file)
    raw
      .prepare(
        `UPDATE journal_entries SET kind = 'hologram' WHERE id = (SELECT max(id) FROM journal_entries)`
      )
      .run()
    raw.close()

    core = createCore({ dataDir: dir, libraryFile: file })
    await expect(core.call('history.undo', {})).rejects.toThrow(
      /kind this Glossa does not know \("hologram"\)/
    )
    expect((await core.call('images.get', { id })).captions.en?.text).toBe('second')
    const list = await core.call('history.list', { limit: 5 })
    expect(list[0]!.undone).toBe(false)
  })

  it('undoes and redoes caption, tag and status entries of one image exactly', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glossa-kinds-'))
    const file = path.join(dir, 'library.sqlite')
    const db = openDatabase(file)
    seedLibrary(db, { datasets: 1, imagesPerDataset: 5, seed: 4 })
    closeDatabase(db)
    core = createCore({ dataDir: dir, libraryFile: file })
    const id = (await core.call('images.page', { filter: {} })).rows[0]!.id
    const before = await core.call('images.get', { id })
    await core.call('captions.setText', { imageId: id, lang: 'zh', text: '一座高塔' })
    await core.call('captions.setTags', { imageId: id, tags: [{ tag: 'tower' }, { tag: 'night' }] })
    await core.call('images.setStatus', { ids: [id], status: 'approved' })
    const after = await core.call('images.get', { id })
    for (let i = 0; i < 3; i++) await core.call('history.undo', {})
    const undone = await core.call('images.get', { id })
    expect([undone.status, undone.zh, undone.tags]).toEqual([before.status, before.zh, before.tags])
    for (let i = 0; i < 3; i++) await core.call('history.redo', {})
    const redone = await core.call('images.get', { id })
    expect([redone.status, redone.zh, redone.tags]).toEqual([after.status, after.zh, after.tags])
  })
})
