/**
 * The import's writer thread (core/import/writer.ts): batches sent to it are committed on its own
 * connection, each whole (rows and job-item marks) or not at all, and answered in order; a batch
 * that fails answers with SQLite's error and leaves nothing behind.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { closeDatabase, openDatabase } from '../../src-main/core/db/open'
import type { WritableDB } from '../../src-main/core/db/types'
import { addJobItems } from '../../src-main/core/jobs/runner'
import type { ItemOutcome } from '../../src-main/core/import/item'
import { startWriterThread, type BatchWriter } from '../../src-main/core/import/writer'

const cleanup: string[] = []
let db: WritableDB | null = null
let writer: BatchWriter | null = null

afterEach(async () => {
  await writer?.close()
  writer = null
  if (db) closeDatabase(db)
  db = null
  for (const d of cleanup.splice(0)) await fs.promises.rm(d, { recursive: true, force: true })
})

function outcome(seq: number, root: string): ItemOutcome {
  return {
    kind: 'ok',
    seq,
    path: path.join(root, `img-${seq}.jpg`),
    probe: {
      width: 8,
      height: 8,
      format: 'jpeg',
      orientation: null,
      sha256: String(seq).padStart(64, '0'),
      bytes: 100 + seq,
      mtimeMs: 1_700_000_000_000
    },
    sidecar: {
      file: path.join(root, `img-${seq}.txt`),
      text: `a photo number ${seq}`,
      encoding: 'utf-8',
      mtimeMs: 1_700_000_000_000
    }
  }
}

describe('import writer thread', () => {
  it('commits each batch with its job-item marks, in order, on its own connection', async () => {
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'glossa-writer-'))
    cleanup.push(dir)
    const file = path.join(dir, 'library.sqlite')
    db = openDatabase(file)
    const now = Date.now()
    const datasetId = Number(
      db.prepare("INSERT INTO datasets (name, created_at) VALUES ('w', ?)").run(now).lastInsertRowid
    )
    const jobId = Number(
      db
        .prepare(
          "INSERT INTO jobs (kind, params, status, created_at) VALUES ('import', '{}', 'running', ?)"
        )
        .run(now).lastInsertRowid
    )
    const root = path.join(dir, 'src')
    addJobItems(
      db,
      jobId,
      Array.from({ length: 6 }, (_, i) => path.join(root, `img-${i + 1}.jpg`))
    )
    writer = await startWriterThread(file, undefined, { jobId, datasetId, root, actor: 'test' })
    expect(writer?.where).toBe('thread')
    const w = writer!
    const order: number[] = []
    await Promise.all([
      w.write([outcome(1, root), outcome(2, root)]).then((n) => order.push(1) && n),
      w.write([outcome(3, root), outcome(4, root)]).then((n) => order.push(2) && n),
      w.write([outcome(5, root)]).then((n) => order.push(3) && n)
    ])
    expect(order).toEqual([1, 2, 3])
    // seen from the other connection: the rows, their captions and summaries, the marks
    expect(db.prepare('SELECT count(*) AS n FROM images').get()).toEqual({ n: 5 })
    expect(db.prepare('SELECT count(*) AS n FROM captions').get()).toEqual({ n: 5 })
    expect(
      db.prepare('SELECT images FROM dataset_stats WHERE dataset_id = ?').get(datasetId)
    ).toEqual({ images: 5 })
    expect(
      db
        .prepare('SELECT status, count(*) AS n FROM job_items WHERE job_id = ? GROUP BY status')
        .all(jobId)
    ).toEqual([
      { status: 'done', n: 5 },
      { status: 'pending', n: 1 }
    ])

    // a batch that fails (its dataset does not exist) answers with SQLite's error and leaves
    // nothing: no row, and its item still pending
    const bad = await startWriterThread(file, undefined, {
      jobId,
      datasetId: 999,
      root,
      actor: 'test'
    })
    try {
      await expect(bad!.write([outcome(6, root)])).rejects.toMatchObject({
        code: expect.stringMatching(/^SQLITE_CONSTRAINT/)
      })
    } finally {
      await bad!.close()
    }
    expect(db.prepare('SELECT count(*) AS n FROM images').get()).toEqual({ n: 5 })
    expect(
      db.prepare('SELECT status FROM job_items WHERE job_id = ? AND seq = 6').get(jobId)
    ).toEqual({ status: 'pending' })
  })
})
