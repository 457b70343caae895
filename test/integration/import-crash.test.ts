import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { createCore, type Core } from '../../src-main/core'
import { makeJpegs } from '../fixtures/generate'

const here = path.dirname(fileURLToPath(import.meta.url))
const repo = path.resolve(here, '../..')
const childScript = path.join(repo, 'test/fixtures/import-child.ts')
const N = 2000

let tmp = ''
let core: Core | null = null

afterEach(async () => {
  await core?.close()
  core = null
  if (tmp) await fs.promises.rm(tmp, { recursive: true, force: true })
})

/** Done/total item counts as another reader sees them; null until the library and items exist. */
function progress(file: string): { finished: number; total: number } | null {
  if (!fs.existsSync(file)) return null
  let db: Database.Database | null = null
  try {
    db = new Database(file, { readonly: true, fileMustExist: true })
    db.pragma('busy_timeout = 2000')
    const hasJobs = db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'job_items'`).get()
    if (!hasJobs) return null
    return db
      .prepare(
        `SELECT count(*) AS total, coalesce(sum(status != 'pending'), 0) AS finished FROM job_items`
      )
      .get() as { finished: number; total: number }
  } catch {
    return null // the schema is being created, or the file is mid-creation
  } finally {
    db?.close()
  }
}

describe('import crash safety', () => {
  it('a SIGKILLed import, run again, leaves every file exactly once and an intact database', async () => {
    tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'glossa-crash-'))
    const src = path.join(tmp, 'src')
    const dataDir = path.join(tmp, 'data')
    const files = await makeJpegs(src, N, 48, { sidecars: true })
    const libraryFile = path.join(dataDir, 'library.sqlite')

    const child = spawn(process.execPath, ['--import', 'tsx', childScript, dataDir, src], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code))
    )
    let exitCode: number | null | undefined
    void exited.then((c) => (exitCode = c))

    // Poll (read-only) until some but not all items are finished, then kill without warning.
    let seen: { finished: number; total: number } | null = null
    for (;;) {
      if (exitCode !== undefined)
        throw new Error(`child exited (${exitCode}) before it was killed: ${stderr}`)
      seen = progress(libraryFile)
      if (seen && seen.total === N && seen.finished > 0 && seen.finished < N) break
      await sleep(5)
    }
    child.kill('SIGKILL')
    await exited
    expect(child.signalCode).toBe('SIGKILL')

    const afterKill = progress(libraryFile)!
    expect(afterKill.finished).toBeLessThan(N)

    // Run again, in this process: the interrupted job is resumed and completes.
    core = createCore({ dataDir })
    const r = await core.call('import.start', { dir: src })
    expect(r.resumed).toBe(true)
    const job = await core.waitForJob(r.jobId)
    expect(job.status).toBe('done')
    expect(job.done).toBe(N)
    expect(job.failed).toBe(0)
    await core.close()
    core = null

    const db = new Database(libraryFile, { readonly: true })
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
      const counts = db
        .prepare(
          'SELECT count(*) AS n, count(DISTINCT path) AS d, sum(error IS NOT NULL) AS e FROM images'
        )
        .get()
      expect(counts).toEqual({ n: N, d: N, e: 0 })
      const paths = (
        db.prepare('SELECT path FROM images ORDER BY path').all() as { path: string }[]
      ).map((x) => x.path)
      expect(paths).toEqual([...files].sort())
      const caps = db
        .prepare(`SELECT count(*) AS n, count(DISTINCT image_id) AS d FROM captions`)
        .get()
      expect(caps).toEqual({ n: N, d: N })
      expect(
        db.prepare(`SELECT count(*) AS n FROM job_items WHERE status = 'pending'`).get()
      ).toEqual({ n: 0 })
      // The search index holds exactly one entry per image.
      expect(db.prepare('SELECT count(*) AS n FROM image_fts').get()).toEqual({ n: N })
    } finally {
      db.close()
    }
  })
})
