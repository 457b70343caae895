/**
 * Undo never overwrites a newer edit (issue 11): a large undo runs as a job in slices, and edits
 * acknowledged while it runs — on images it has not reached yet — are left as they are when it
 * gets there; the job says how many ("400 captions changed since; left as they are"), everything
 * else comes back byte for byte, and redo leaves the newer edits alone too. A small (one
 * transaction) undo does the same for a value changed behind the journal's back.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createCore, type Core } from '../../src-main/core'
import { closeDatabase, openDatabase } from '../../src-main/core/db/open'
import type { BulkOp } from '../../src-main/shared/api'
import { seedLibrary } from '../db/helpers'

const OP: BulkOp = {
  kind: 'replace',
  find: '^(.)',
  replace: '※ $1',
  regex: true,
  caseInsensitive: false,
  widthInsensitive: false,
  langs: ['en'],
  source: 'caption'
}

const dirs: string[] = []
const cores: Core[] = []
afterAll(async () => {
  for (const c of cores) await c.close()
  for (const d of dirs) await fs.promises.rm(d, { recursive: true, force: true })
})

async function library(images: number): Promise<{ core: Core; file: string; ds: number }> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'glossa-undo-conflict-'))
  dirs.push(dir)
  const file = path.join(dir, 'library.sqlite')
  const db = openDatabase(file)
  const ds = seedLibrary(db, { datasets: 1, imagesPerDataset: images, seed: 31 }).datasetIds[0]!
  closeDatabase(db)
  const core = createCore({ dataDir: dir, libraryFile: file, actor: 'tester' })
  cores.push(core)
  return { core, file, ds }
}

function enCaptions(file: string): Map<number, string> {
  const db = openDatabase(file, { readonly: true })
  try {
    const rows = db
      .prepare(`SELECT image_id, text FROM captions WHERE lang = 'en' ORDER BY image_id`)
      .all() as { image_id: number; text: string }[]
    return new Map(rows.map((r) => [r.image_id, r.text]))
  } finally {
    closeDatabase(db)
  }
}

describe('undo versus concurrent edits', () => {
  it('a large undo leaves edits made while it runs as they are, and says how many', async () => {
    const { core, file, ds } = await library(8000)
    const original = enCaptions(file)
    const applied = await core.call('bulk.apply', {
      selection: { datasetId: ds, filter: { datasetId: ds } },
      op: OP
    })
    expect(applied.jobId).not.toBeNull()
    expect((await core.waitForJob(applied.jobId!)).status).toBe('done')

    const undo = await core.call('history.undo', {})
    expect(undo?.jobId).toBeDefined()
    // the undo walks the batch from its newest entry back: the first images come last
    const targets = [...original.keys()].slice(0, 400)
    const edited = new Map<number, string>()
    for (const id of targets) {
      const text = `edited while undoing ${id}`
      await core.call('captions.setText', { imageId: id, lang: 'en', text })
      edited.set(id, text)
    }
    const job = await core.waitForJob(undo!.jobId!)
    expect(job.status).toBe('done')

    const after = enCaptions(file)
    for (const [id, text] of edited) expect(after.get(id)).toBe(text)
    let restored = 0
    for (const [id, text] of original) {
      if (edited.has(id)) continue
      expect(after.get(id)).toBe(text)
      restored++
    }
    expect(restored).toBe(original.size - edited.size)
    // the edits all landed before the undo reached their images, so all 400 were left alone
    expect(job.note).toBe('400 captions changed since; left as they are')
    expect((await core.call('jobs.get', { id: job.id })).items?.skipped).toBe(400)
  })

  it('a small undo leaves a value changed since as it is and says so', async () => {
    const { core, file } = await library(50)
    const [first, second] = [...enCaptions(file).keys()]
    await core.call('captions.setText', { imageId: first!, lang: 'en', text: 'batch one' })
    await core.call('captions.setText', { imageId: second!, lang: 'en', text: 'batch one too' })
    // a writer that bypasses the journal (another build, a script) changes one of them
    const db = openDatabase(file)
    db.prepare(
      `UPDATE captions SET text = 'changed behind its back' WHERE image_id = ? AND lang = 'en'`
    ).run(second)
    closeDatabase(db)
    const undone = await core.call('history.undo', {})
    expect(undone?.skipped).toBe(1)
    expect(undone?.note).toBe('1 caption changed since; left as it is')
    expect(enCaptions(file).get(second!)).toBe('changed behind its back')
  })
})
