import type { WritableDB } from '../../src-main/core/db/types'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { JobProgress } from '../../src-main/shared/api'
import { openDatabase } from '../../src-main/core/db/open'
import type { CoreContext } from '../../src-main/core/context'
import {
  JobRunner,
  addJobItems,
  countJobItems,
  markJobItem,
  pendingJobItems,
  type JobKindImpl
} from '../../src-main/core/jobs/runner'

/** A job kind that "processes" items by recording them, one transaction per item. */
function recordingJob(processed: string[], gate?: { after: number; hit: () => void }): JobKindImpl {
  return {
    kind: 'import',
    async run(ctx, job, control) {
      if (countJobItems(ctx.db, job.id).total === 0) {
        addJobItems(
          ctx.db,
          job.id,
          Array.from({ length: 50 }, (_, i) => `item-${i}`)
        )
      }
      const c = countJobItems(ctx.db, job.id)
      control.setPhase('work', c.total)
      control.advance(c.done, c.failed)
      for (;;) {
        if (control.signal.aborted) return
        const [item] = pendingJobItems(ctx.db, job.id, 0, 1)
        if (!item) return
        ctx.db.transaction(() => {
          processed.push(item.key)
          markJobItem(
            ctx.db,
            job.id,
            item.seq,
            item.key.endsWith('7') ? 'failed' : 'done',
            item.key.endsWith('7') ? 'bad' : null
          )
        })()
        control.advance(item.key.endsWith('7') ? 0 : 1, item.key.endsWith('7') ? 1 : 0)
        if (gate && processed.length === gate.after) gate.hit()
        await new Promise((r) => setImmediate(r))
      }
    }
  }
}

describe('JobRunner', () => {
  let dir: string
  let db: WritableDB
  let events: JobProgress[]
  let closing: AbortController
  const makeCtx = (): CoreContext => ({
    db,
    dataDir: dir,
    libraryFile: path.join(dir, 'lib.sqlite'),
    cacheDir: path.join(dir, 'cache'),
    backupDir: path.join(dir, 'backups'),
    actor: () => 'tester',
    emit: (e, p) => {
      if (e === 'job.progress') events.push(p as JobProgress)
    },
    jobs: runner,
    closing: closing.signal
  })
  let runner: JobRunner
  let ctx: CoreContext

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glossa-jobs-'))
    db = openDatabase(path.join(dir, 'lib.sqlite'))
    events = []
    closing = new AbortController()
    runner = new JobRunner(() => ctx)
    ctx = makeCtx()
  })
  afterEach(() => {
    db.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('runs a job to completion, persisting counts and reporting progress', async () => {
    const processed: string[] = []
    runner.register(recordingJob(processed))
    const job = runner.create('import', null, { a: 1 })
    const done = await runner.wait(job.id)
    expect(done.status).toBe('done')
    expect(processed).toHaveLength(50)
    expect(done.total).toBe(50)
    expect(done.done).toBe(45)
    expect(done.failed).toBe(5)
    const last = events[events.length - 1]!
    expect(last.status).toBe('done')
    expect(events.some((e) => e.status === 'running' && e.phase === 'work')).toBe(true)
  })

  it('cancel keeps finished items; resume processes only the rest', async () => {
    const processed: string[] = []
    let id = 0
    runner.register(recordingJob(processed, { after: 20, hit: () => runner.cancel(id) }))
    id = runner.create('import', null, {}).id
    const cancelled = await runner.wait(id)
    expect(cancelled.status).toBe('cancelled')
    expect(processed).toHaveLength(20)
    expect(countJobItems(db, id).pending).toBe(30)

    const runner2 = new JobRunner(() => ctx)
    runner = runner2
    ctx = makeCtx()
    runner2.register(recordingJob(processed))
    runner2.resume(id)
    const finished = await runner2.wait(id)
    expect(finished.status).toBe('done')
    expect(processed).toHaveLength(50)
    expect(new Set(processed).size).toBe(50)
  })

  it('a job left running by a dead process is marked interrupted and can resume', async () => {
    const info = db
      .prepare(
        `INSERT INTO jobs (kind, params, status, created_at) VALUES ('import', '{}', 'running', 1)`
      )
      .run()
    const id = Number(info.lastInsertRowid)
    addJobItems(db, id, ['a', 'b', 'c'])
    db.prepare(`UPDATE job_items SET status = 'done' WHERE job_id = ? AND key = 'a'`).run(id)
    expect(runner.recoverInterrupted()).toEqual([id])
    expect(
      (db.prepare('SELECT status FROM jobs WHERE id = ?').get(id) as { status: string }).status
    ).toBe('interrupted')
    const processed: string[] = []
    runner.register(recordingJob(processed))
    runner.resume(id)
    expect((await runner.wait(id)).status).toBe('done')
    expect(processed.sort()).toEqual(['b', 'c'])
  })

  it('refuses to resume a finished job', async () => {
    runner.register(recordingJob([]))
    const job = runner.create('import', null, {})
    await runner.wait(job.id)
    expect(() => runner.resume(job.id)).toThrow(/already finished/)
  })
})
