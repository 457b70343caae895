/**
 * Two processes on one library (issue 11): real `glossa serve` children and the real CLI on one
 * library file, with a NON-idempotent bulk job (every en caption gets "※ " put in front: applied
 * twice, a caption would start "※ ※ "). The job belongs to the process that runs it:
 *  - a second server opening the library while the first one's job runs (the first frozen with
 *    SIGSTOP, so the timing cannot decide the outcome: its pid is alive and its lease fresh) sees
 *    the job running in "glossa serve (pid …)", gets CONFLICT naming that process when it tries
 *    to resume it, and never runs it; the first server finishes it: exactly once;
 *  - when the first server is SIGKILLed mid-job, the second one takes the job over at once (a
 *    dead pid on this host) and finishes the rest: still exactly once;
 *  - the CLI meanwhile reads and makes single edits without disturbing the server's job, and
 *    `glossa import` of a folder the server is importing answers CONFLICT naming the server.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BulkOp, JobInfo } from '../../src-main/shared/api'
import { closeDatabase, openDatabase } from '../../src-main/core/db/open'
import { seedLibrary } from '../db/helpers'
import { cliJson, readLibrary, runGlossa } from '../fixtures/cli'
import { startServe, type ServeChild } from '../fixtures/serve-child'
import { makeJpegs } from '../fixtures/generate'

const IMAGES = 6_000
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

let tmp: string
const children: ServeChild[] = []
beforeAll(async () => {
  tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'glossa-two-'))
})
afterAll(async () => {
  for (const c of children) await c.stop().catch(() => undefined)
  await fs.promises.rm(tmp, { recursive: true, force: true })
})

async function seeded(name: string): Promise<{ library: string; datasetId: number; en: number }> {
  const library = path.join(tmp, name, 'library.sqlite')
  const db = openDatabase(library)
  const datasetId = seedLibrary(db, { datasets: 1, imagesPerDataset: IMAGES, seed: 11 })
    .datasetIds[0]!
  const en = (
    db.prepare(`SELECT count(*) AS n FROM captions WHERE lang = 'en' AND text <> ''`).get() as {
      n: number
    }
  ).n
  closeDatabase(db)
  return { library, datasetId, en }
}

async function serve(library: string): Promise<ServeChild> {
  const c = await startServe({ library, tmp: path.dirname(library) })
  children.push(c)
  return c
}

async function job(c: ServeChild, id: number): Promise<JobInfo> {
  const r = await c.call<JobInfo>('jobs.get', { id })
  expect(r.status, JSON.stringify(r.body)).toBe(200)
  return r.body
}

/** Polls until `pred` holds for the job (or it ends), as the process `c` sees it. */
async function until(c: ServeChild, id: number, pred: (j: JobInfo) => boolean): Promise<JobInfo> {
  for (;;) {
    const j = await job(c, id)
    if (pred(j) || ['done', 'failed', 'cancelled', 'interrupted'].includes(j.status)) return j
    await sleep(50)
  }
}

/** The captions as applied: how many start with one "※ " and how many with two. */
function applied(library: string): { once: number; twice: number } {
  return readLibrary(library, (db) => ({
    once: (
      db
        .prepare(`SELECT count(*) AS n FROM captions WHERE lang = 'en' AND text LIKE '※ %'`)
        .get() as { n: number }
    ).n,
    twice: (
      db
        .prepare(`SELECT count(*) AS n FROM captions WHERE lang = 'en' AND text LIKE '※ ※ %'`)
        .get() as { n: number }
    ).n
  }))
}

async function startBulk(c: ServeChild, datasetId: number): Promise<number> {
  const r = await c.call<{ jobId: number | null }>('bulk.apply', {
    selection: { datasetId, filter: { datasetId } },
    op: OP
  })
  expect(r.status, JSON.stringify(r.body)).toBe(200)
  expect(r.body.jobId).not.toBeNull()
  return r.body.jobId!
}

describe('two servers on one library', () => {
  it('a live job is seen running by the other server, never resumed there, and applied once', async () => {
    const { library, datasetId, en } = await seeded('live')
    const a = await serve(library)
    const jobId = await startBulk(a, datasetId)
    const running = await until(a, jobId, (j) => j.status === 'running' && j.done > 0)
    expect(running.status).toBe('running')
    a.signal('SIGSTOP') // frozen mid-job: pid alive, lease fresh
    try {
      const b = await serve(library)
      const seen = await job(b, jobId)
      expect(seen.status).toBe('running')
      expect(seen.owner).toMatchObject({
        label: 'glossa serve',
        pid: a.pid,
        self: false,
        live: true
      })
      const resume = await b.call<{ error: { code: string; message: string } }>('jobs.resume', {
        id: jobId
      })
      expect(resume.status).toBe(409)
      expect(resume.body.error.code).toBe('CONFLICT')
      expect(resume.body.error.message).toContain(`glossa serve (pid ${a.pid}`)
      // B may still read and make its own single edits
      const list = await b.call<unknown[]>('datasets.list', {})
      expect(list.status).toBe(200)
    } finally {
      a.signal('SIGCONT')
    }
    const done = await until(a, jobId, () => false)
    expect(done.status).toBe('done')
    const b2 = children[children.length - 1]!
    expect((await job(b2, jobId)).status).toBe('done')
    expect(applied(library)).toEqual({ once: en, twice: 0 })
  })

  it('a killed server’s job is taken over by the other at once and still applied once', async () => {
    const { library, datasetId, en } = await seeded('killed')
    const a = await serve(library)
    const b = await serve(library)
    const jobId = await startBulk(a, datasetId)
    await until(a, jobId, (j) => j.status === 'running' && j.done > 0)
    a.signal('SIGKILL')
    await a.exited
    const before = await job(b, jobId)
    if (before.status === 'running') expect(before.owner?.live).toBe(false)
    if (before.status !== 'done') {
      const r = await b.call<JobInfo>('jobs.resume', { id: jobId })
      expect(r.status, JSON.stringify(r.body)).toBe(200)
      const done = await until(b, jobId, () => false)
      expect(done.status).toBe('done')
    }
    expect(applied(library)).toEqual({ once: en, twice: 0 })
  })
})

describe('a server and the CLI on one library', () => {
  it('the CLI reads and edits while the server’s bulk job runs; the job ends done, applied once', async () => {
    const { library, datasetId, en } = await seeded('cli')
    const a = await serve(library)
    const jobId = await startBulk(a, datasetId)
    await until(a, jobId, (j) => j.status === 'running' && j.done > 0)
    const stats = await runGlossa(['stats', '--json'], { tmp, library })
    expect(stats.code, stats.stderr).toBe(0)
    const review = await runGlossa(
      ['review', '--dataset', 'set1', '--status', 'approved', '--search', 'panda', '--json'],
      { tmp, library }
    )
    expect(review.code, review.stderr).toBe(0)
    expect((await job(a, jobId)).status).not.toBe('interrupted')
    const done = await until(a, jobId, () => false)
    expect(done.status).toBe('done')
    expect(applied(library)).toEqual({ once: en, twice: 0 })
  })

  it('glossa import of a folder the server is importing answers CONFLICT naming the server', async () => {
    const library = path.join(tmp, 'import', 'library.sqlite')
    const photos = path.join(tmp, 'import', 'photos')
    await makeJpegs(photos, 300, 48)
    const a = await serve(library)
    const started = await a.call<{ jobId: number; datasetId: number }>('import.start', {
      dir: photos,
      datasetName: 'photos'
    })
    expect(started.status, JSON.stringify(started.body)).toBe(200)
    a.signal('SIGSTOP')
    let r
    try {
      const st = (await readLibrary(library, (db) =>
        db.prepare('SELECT status FROM jobs WHERE id = ?').get(started.body.jobId)
      )) as { status: string }
      r = await runGlossa(['import', photos, '--dataset', 'photos', '--json'], { tmp, library })
      if (st.status === 'done') return // the server was faster than the signal: nothing to refuse
    } finally {
      a.signal('SIGCONT')
    }
    expect(r.code).toBe(1)
    const out = cliJson<{ ok: boolean; error: { code: string; message: string } }>(r)
    expect(out.error.code).toBe('CONFLICT')
    expect(out.error.message).toContain(`glossa serve (pid ${a.pid}`)
    const done = await until(a, started.body.jobId, () => false)
    expect(done.status).toBe('done')
  })
})
