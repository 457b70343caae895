/**
 * Caption editing, review status and the journal through createCore: single edits, undo and redo
 * restoring exact prior bytes, 1,000-item batches, the redo stack discarded by a new edit, and an
 * acknowledged edit surviving SIGKILL.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import type { Database as Db } from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createCore, type Core } from '../../src-main/core'
import type { CoreContext } from '../../src-main/core/context'
import { closeDatabase, openDatabase } from '../../src-main/core/db/open'
import { setCaptionText, withBatch } from '../../src-main/core/db/journal'
import type { Events } from '../../src-main/shared/api'
import { insertImage, seedLibrary } from '../db/helpers'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '../..')

let dir: string
let core: Core
let datasetId: number
let ids: number[]
let events: Events['library.changed'][]

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glossa-edit-'))
  const db = openDatabase(path.join(dir, 'library.sqlite'))
  datasetId = seedLibrary(db, { imagesPerDataset: 1100, errorRate: 0 }).datasetIds[0]!
  ids = (db.prepare('SELECT id FROM images ORDER BY id').all() as { id: number }[]).map((r) => r.id)
  closeDatabase(db)
  core = createCore({ dataDir: dir, actor: 'tester' })
  events = []
  core.on('library.changed', (e) => events.push(e))
})
afterEach(async () => {
  await core.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

/** A second connection for reading raw rows byte for byte. */
function reader(): Db {
  return new Database(path.join(dir, 'library.sqlite'), { readonly: true })
}
type CaptionDump = {
  image_id: number
  lang: string
  text: Buffer
  fields: string | null
  source: string
  updated_at: number
  updated_by: string | null
}
function dumpCaptions(db: Db): CaptionDump[] {
  return db
    .prepare(
      'SELECT image_id, lang, CAST(text AS BLOB) AS text, fields, source, updated_at, updated_by FROM captions ORDER BY image_id, lang'
    )
    .all() as CaptionDump[]
}

describe('single edits', () => {
  it('setText, undo restores the exact prior caption, redo re-applies it', async () => {
    const r = reader()
    const { id } = r
      .prepare(
        `SELECT image_id AS id FROM captions WHERE lang = 'zh' AND text != '' AND source = 'import' LIMIT 1`
      )
      .get() as { id: number }
    r.close()
    const prior = (await core.call('images.get', { id })).captions.zh
    expect(prior).toMatchObject({ source: 'import', updatedBy: null })
    const res = await core.call('captions.setText', {
      imageId: id,
      lang: 'zh',
      text: '一只橘猫趴在窗台上，阳光明媚。'
    })
    expect(res.batchId).toEqual(expect.any(Number))
    expect(res.caption).toMatchObject({
      text: '一只橘猫趴在窗台上，阳光明媚。',
      source: 'manual',
      updatedBy: 'tester'
    })
    expect((await core.call('images.get', { id })).zh).toBe('一只橘猫趴在窗台上，阳光明媚。')
    expect(events.at(-1)).toMatchObject({ imageIds: [id] })

    const undone = await core.call('history.undo', {})
    expect(undone).toMatchObject({ id: res.batchId, undone: true, items: 1, actor: 'tester' })
    expect((await core.call('images.get', { id })).captions.zh).toEqual(prior)
    // search follows the undo
    const found = await core.call('images.page', { filter: { search: '窗台' } })
    expect(found.total).toBe(0)

    const redone = await core.call('history.redo', {})
    expect(redone).toMatchObject({ id: res.batchId, undone: false })
    expect((await core.call('images.get', { id })).captions.zh).toMatchObject({
      text: '一只橘猫趴在窗台上，阳光明媚。',
      source: 'manual'
    })
    expect(
      (await core.call('images.page', { filter: { search: '窗台' } })).rows.map((r) => r.id)
    ).toEqual([id])
    expect(await core.call('history.redo', {})).toBeNull()
  })

  it('an edit that changes nothing records nothing', async () => {
    const id = ids[3]!
    const cur = (await core.call('images.get', { id })).captions.en
    const text = cur?.text ?? ''
    const res = await core.call('captions.setText', { imageId: id, lang: 'en', text })
    expect(res.batchId).toBeNull()
    expect(await core.call('history.list', {})).toEqual([])
    expect(await core.call('history.undo', {})).toBeNull()
    const st = await core.call('images.setStatus', {
      ids: [id],
      status: (await core.call('images.get', { id })).status
    })
    expect(st).toEqual({ changed: 0, batchId: null })
  })

  it('a caption created by an edit disappears again on undo', async () => {
    const db = openDatabase(path.join(dir, 'library.sqlite'))
    const id = insertImage(db, datasetId, { fileName: 'bare.png' })
    closeDatabase(db)
    await core.call('captions.setText', { imageId: id, lang: 'en', text: 'a tall tower at dusk' })
    expect((await core.call('images.get', { id })).captions.en?.text).toBe('a tall tower at dusk')
    await core.call('history.undo', {})
    expect((await core.call('images.get', { id })).captions.en).toBeNull()
    expect((await core.call('images.page', { filter: { search: 'dusk' } })).total).toBe(0)
  })

  it('setFields stores the fields, renders the text, and undoes', async () => {
    const id = ids[5]!
    const prior = (await core.call('images.get', { id })).captions.zh
    const res = await core.call('captions.setFields', {
      imageId: id,
      lang: 'zh',
      fields: { subject: '广州塔', background: '夜晚的珠江', style: '' }
    })
    expect(res.caption).toMatchObject({
      text: '广州塔。背景是夜晚的珠江。',
      fields: { subject: '广州塔', background: '夜晚的珠江', style: '' },
      source: 'manual'
    })
    const en = await core.call('captions.setFields', {
      imageId: id,
      lang: 'en',
      fields: { subject: 'a tall tower', style: 'photo' }
    })
    expect(en.caption?.text).toBe('a tall tower. The image shows photo style.')
    await core.call('history.undo', {})
    await core.call('history.undo', {})
    expect((await core.call('images.get', { id })).captions.zh).toEqual(prior)
  })

  it('setTags keeps order, scores and sources; undo restores them and the grid text', async () => {
    const id = ids[7]!
    const before = await core.call('images.get', { id })
    const res = await core.call('captions.setTags', {
      imageId: id,
      tags: [
        { tag: 'tower', score: 0.91, source: 'wd14' },
        { tag: '广州塔' },
        { tag: 'night', score: null },
        { tag: 'tower' }
      ]
    })
    expect(res.tags).toEqual([
      { tag: 'tower', score: 0.91, source: 'wd14' },
      { tag: '广州塔', score: null, source: 'manual' },
      { tag: 'night', score: null, source: 'manual' }
    ])
    const row = (
      await core.call('images.page', { filter: { search: '广州塔', datasetId }, limit: 1000 })
    ).rows.find((r) => r.id === id)
    expect(row?.tags).toEqual(['tower', '广州塔', 'night'])
    await core.call('history.undo', {})
    const after = await core.call('images.get', { id })
    expect(after.tagRows).toEqual(before.tagRows)
    expect(after.tags).toEqual(before.tags)
  })

  it('unknown images are NOT_FOUND and change nothing', async () => {
    await expect(
      core.call('captions.setText', { imageId: 999_999, lang: 'zh', text: 'x' })
    ).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(
      core.call('images.setStatus', { ids: [ids[0]!, 999_999], status: 'approved' })
    ).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect(await core.call('history.list', {})).toEqual([])
    await expect(core.call('images.get', { id: 999_999 })).rejects.toMatchObject({
      code: 'NOT_FOUND'
    })
  })
})

describe('batches', () => {
  it('a 1,000-image status batch is one history entry and undo restores every status', async () => {
    const r = reader()
    const statuses = () => r.prepare('SELECT id, status, updated_at FROM images ORDER BY id').all()
    const before = statuses()
    const target = ids.slice(0, 1000)
    const res = await core.call('images.setStatus', { ids: target, status: 'approved' })
    const alreadyApproved = (before as { id: number; status: string }[]).filter(
      (s) => target.includes(s.id) && s.status === 'approved'
    ).length
    expect(res.changed).toBe(1000 - alreadyApproved)
    expect(
      (await core.call('images.page', { filter: { status: ['approved'] }, limit: 1 })).total
    ).toBeGreaterThanOrEqual(1000)
    const hist = await core.call('history.list', {})
    expect(hist).toHaveLength(1)
    expect(hist[0]).toMatchObject({ items: res.changed, undone: false })
    await core.call('history.undo', {})
    expect(statuses()).toEqual(before)
    await core.call('history.redo', {})
    expect(
      (
        r
          .prepare(`SELECT count(*) AS n FROM images WHERE status = 'approved' AND id <= ?`)
          .get(target.at(-1)) as { n: number }
      ).n
    ).toBe(1000)
    r.close()
  })

  it('a 1,000-caption batch through the journal helper undoes byte-exactly', async () => {
    // awkward bytes: CRLF, trailing spaces, NFD vs NFC, zero-width joiner, astral emoji, NUL-free
    const texts = [
      'line1\r\nline2 ',
      'cafe\u0301',
      'café',
      'a\u200db',
      '🐱 橘猫',
      '  ',
      '"quoted" \\ %_'
    ]
    const bulk = openDatabase(path.join(dir, 'library.sqlite'))
    const ctx = { db: bulk, actor: () => 'bulk-tool', emit: () => {} } as unknown as CoreContext
    const r = reader()
    const before = dumpCaptions(r)
    const target = ids.slice(0, 1000)
    const out = withBatch(ctx, 'Bulk replace', (b) => {
      let n = 0
      for (const [k, id] of target.entries())
        if (setCaptionText(b, id, k % 2 ? 'zh' : 'en', `${texts[k % texts.length]}#${k}`)) n++
      return n
    })
    expect(out.result).toBe(1000)
    expect(out.items).toBe(1000)
    closeDatabase(bulk)
    const edited = dumpCaptions(r)
    expect(edited).not.toEqual(before)

    const undone = await core.call('history.undo', {})
    expect(undone).toMatchObject({ label: 'Bulk replace', items: 1000, actor: 'bulk-tool' })
    const restored = dumpCaptions(r)
    expect(restored.length).toBe(before.length)
    for (let i = 0; i < before.length; i++) {
      expect(Buffer.compare(restored[i]!.text, before[i]!.text)).toBe(0)
      expect(restored[i]).toEqual(before[i])
    }
    await core.call('history.redo', {})
    expect(dumpCaptions(r)).toEqual(edited)
    r.close()
  })

  it('a new edit after undo discards the redo stack', async () => {
    const [a, b, c] = ids as [number, number, number]
    await core.call('captions.setText', { imageId: a, lang: 'en', text: 'first' })
    const second = await core.call('captions.setText', { imageId: b, lang: 'en', text: 'second' })
    expect((await core.call('history.undo', {}))?.id).toBe(second.batchId)
    await core.call('captions.setText', { imageId: c, lang: 'en', text: 'third' })
    expect(await core.call('history.redo', {})).toBeNull()
    const list = await core.call('history.list', {})
    // single-image batches name the image
    const name = async (id: number): Promise<string> =>
      (await core.call('images.get', { id })).fileName
    expect(list.map((h) => h.label)).toEqual([
      `Edit en caption of ${await name(c)}`,
      `Edit en caption of ${await name(a)}`
    ])
    expect(list.every((h) => !h.undone)).toBe(true)
    expect((await core.call('images.get', { id: b })).en).not.toBe('second')
    // undo twice walks back through third and first
    await core.call('history.undo', {})
    await core.call('history.undo', {})
    expect(await core.call('history.undo', {})).toBeNull()
  })
})

describe('durability', () => {
  it('an acknowledged edit survives SIGKILL', async () => {
    const id = ids[10]!
    await core.close()
    const text = '被杀死之前保存的描述 — saved before the kill'
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(root, 'test/fixtures/edit-and-wait.ts'),
        dir,
        String(id),
        'zh',
        text
      ],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe']
      }
    )
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, sig) => resolve(sig))
    )
    await new Promise<void>((resolve, reject) => {
      let out = ''
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString()
        if (/^ok \d+/m.test(out)) resolve()
      })
      child.on('exit', () => reject(new Error(`child exited before ok: ${stderr}`)))
    })
    child.kill('SIGKILL')
    expect(await exited).toBe('SIGKILL')
    core = createCore({ dataDir: dir, actor: 'tester' })
    const img = await core.call('images.get', { id })
    expect(img.captions.zh).toMatchObject({ text, source: 'manual', updatedBy: 'child' })
    expect((await core.call('history.list', {}))[0]).toMatchObject({ items: 1, actor: 'child' })
    // and it can still be undone after the crash
    await core.call('history.undo', {})
    expect((await core.call('images.get', { id })).zh).not.toBe(text)
  })
})
