/**
 * Undo/redo of a large batch: a regex replace over thousands of captions (one journal batch)
 * is undone by an 'undo' job in many short transactions — the core answers other calls while it
 * runs, a second undo/redo meanwhile is refused with CONFLICT, every caption and the search
 * index come back byte for byte, redo re-applies them byte for byte, and a process SIGKILLed
 * mid-undo resumes exactly where it stopped.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { createCore, type Core } from '../../src-main/core'
import { closeDatabase, openDatabase } from '../../src-main/core/db/open'
import { UNDO_SYNC_LIMIT } from '../../src-main/core/captions/undo-job'
import type { BulkOp, Events } from '../../src-main/shared/api'
import { GlossaError } from '../../src-main/shared/errors'
import { seedLibrary } from '../db/helpers'

const here = path.dirname(fileURLToPath(import.meta.url))
const repo = path.resolve(here, '../..')
const childScript = path.join(repo, 'test/fixtures/undo-child.ts')

const dirs: string[] = []
const cores: Core[] = []
afterAll(async () => {
  for (const c of cores) await c.close()
  for (const d of dirs) await fs.promises.rm(d, { recursive: true, force: true })
})

/** Every en caption becomes "※ " + itself: thousands of entries in one batch. */
const OP: BulkOp = {
  caseInsensitive: false,
  widthInsensitive: false,
  source: 'caption',
  kind: 'replace',
  find: '^(.)',
  replace: '※ $1',
  regex: true,
  langs: ['en']
}

async function seeded(): Promise<{ dir: string; file: string; ds: number }> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'glossa-undo-'))
  dirs.push(dir)
  const file = path.join(dir, 'library.sqlite')
  const db = openDatabase(file)
  const ds = seedLibrary(db, { datasets: 1, imagesPerDataset: 10_000, seed: 23 }).datasetIds[0]!
  closeDatabase(db)
  return { dir, file, ds }
}

function open(dir: string): Core {
  const core = createCore({ dataDir: dir, actor: 'undo-tester' })
  cores.push(core)
  return core
}

/** Captions and the search index's caption columns, as another reader sees them. */
function dump(file: string): string {
  const db = new Database(file, { readonly: true })
  db.pragma('busy_timeout = 5000')
  try {
    const caps = db
      .prepare(
        'SELECT image_id, lang, text, fields, source, updated_at, updated_by FROM captions ORDER BY image_id, lang'
      )
      .raw()
      .all()
    const fts = db.prepare('SELECT rowid, zh, en FROM image_fts ORDER BY rowid').raw().all()
    return JSON.stringify([caps, fts])
  } finally {
    db.close()
  }
}

/** Applies OP to the whole dataset and returns the batch's size. */
async function bulkEdit(core: Core, ds: number): Promise<number> {
  const r = await core.call('bulk.apply', { selection: { datasetId: ds, filter: {} }, op: OP })
  expect((await core.waitForJob(r.jobId!)).status).toBe('done')
  const [top] = await core.call('history.list', { limit: 1 })
  return top!.items
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p
    return 'ok'
  } catch (e) {
    return e instanceof GlossaError ? e.code : String(e)
  }
}

describe('undo of a large batch', () => {
  it('runs as a sliced job that lets other calls through, refuses a second undo, and is byte-exact both ways', async () => {
    const { dir, file, ds } = await seeded()
    const core = open(dir)
    const original = dump(file)
    const items = await bulkEdit(core, ds)
    expect(items).toBeGreaterThan(UNDO_SYNC_LIMIT * 2)
    const edited = dump(file)
    expect(edited).not.toBe(original)

    const slices: Events['library.changed'][] = []
    core.on('library.changed', (e) => {
      if (e.reason === 'undo' || e.reason === 'redo') slices.push(e)
    })
    const running: number[] = []
    core.on('job.progress', (p) => {
      if (p.kind === 'undo' && p.status === 'running') running.push(p.total)
    })

    const undone = await core.call('history.undo', {})
    expect(undone).toMatchObject({ items, undone: false })
    const jobId = undone!.jobId!
    expect(jobId).toEqual(expect.any(Number))
    let finished = false
    const waiting = core.waitForJob(jobId).then((j) => ((finished = true), j))

    // while it runs: a second undo or redo is refused, reads are answered
    expect(await codeOf(core.call('history.undo', {}))).toBe('CONFLICT')
    expect(await codeOf(core.call('history.redo', {}))).toBe('CONFLICT')
    const page = await core.call('images.page', { filter: { datasetId: ds }, limit: 50 })
    expect(page.rows.length).toBe(50)
    expect(finished).toBe(false)
    const mid = await core.call('history.list', { limit: 1 })
    expect(mid[0]).toMatchObject({ id: undone!.id, undone: false })

    const job = await waiting
    expect(job).toMatchObject({ kind: 'undo', status: 'done', done: items, total: items })
    expect(slices.length).toBeGreaterThanOrEqual(5)
    expect(running.length).toBeGreaterThan(0)
    expect(running.every((t) => t === items)).toBe(true)
    expect(dump(file)).toBe(original)
    expect((await core.call('history.list', { limit: 1 }))[0]).toMatchObject({
      id: undone!.id,
      undone: true
    })

    slices.length = 0
    const redone = await core.call('history.redo', {})
    expect(redone!.jobId).toEqual(expect.any(Number))
    expect((await core.waitForJob(redone!.jobId!)).status).toBe('done')
    expect(slices.length).toBeGreaterThanOrEqual(5)
    expect(dump(file)).toBe(edited)
    expect((await core.call('history.list', { limit: 1 }))[0]).toMatchObject({ undone: false })

    // small batches stay synchronous: no job
    const one = await core.call('images.page', { filter: { datasetId: ds }, limit: 1 })
    await core.call('captions.setText', {
      imageId: one.rows[0]!.id,
      lang: 'zh',
      text: 'small edit'
    })
    const small = await core.call('history.undo', {})
    expect(small).toMatchObject({ items: 1, undone: true })
    expect(small!.jobId).toBeUndefined()
  }, 120_000)

  it('a process SIGKILLed mid-undo resumes on the next undo and ends byte-exact', async () => {
    const { dir, file, ds } = await seeded()
    const core = open(dir)
    const original = dump(file)
    const items = await bulkEdit(core, ds)
    await core.close()
    cores.splice(cores.indexOf(core), 1)

    const child = spawn(process.execPath, ['--import', 'tsx', childScript, dir], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
    let exitCode: number | null | undefined
    child.on('exit', (c) => (exitCode = c))

    const state = (): { moving: string | null; cursor: number | null; undone: number } | null => {
      const db = new Database(file, { readonly: true })
      db.pragma('busy_timeout = 2000')
      try {
        return db
          .prepare('SELECT moving, cursor, undone FROM journal_batches ORDER BY id DESC LIMIT 1')
          .get() as { moving: string | null; cursor: number | null; undone: number }
      } finally {
        db.close()
      }
    }
    for (;;) {
      if (exitCode !== undefined)
        throw new Error(`child exited (${exitCode}) before it was killed: ${stderr}`)
      const s = state()
      if (s?.moving === 'undo' && s.cursor !== null) break
      await sleep(5)
    }
    child.kill('SIGKILL')
    await exited
    expect(child.signalCode).toBe('SIGKILL')
    const killed = state()!
    expect(killed).toMatchObject({ moving: 'undo', undone: 0 })
    expect(dump(file)).not.toBe(original) // half-way: some captions back, some not

    const again = open(dir)
    const r = await again.call('history.undo', {})
    expect(r!.jobId).toEqual(expect.any(Number))
    const job = await again.waitForJob(r!.jobId!)
    expect(job).toMatchObject({ status: 'done', done: items, total: items })
    expect(dump(file)).toBe(original)
    expect(state()).toEqual({ moving: null, cursor: null, undone: 1 })
    expect((await again.call('history.list', { limit: 1 }))[0]).toMatchObject({
      items,
      undone: true
    })
  }, 120_000)
})
