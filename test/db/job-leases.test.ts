/**
 * Job ownership (issue 11), with two runners on two connections to one library standing for two
 * processes (each has its own owner id; in one OS process they are judged by their heartbeats):
 *  - recovery leaves a live owner's job alone and reclaims only dead ones (no owner row, an
 *    expired lease, a dead pid on this host — at once);
 *  - resume of another live owner's job is CONFLICT naming it; cancel sets a flag its owner polls
 *    and the job stops, keeping finished items;
 *  - reclaim(ownerId) (a restarted core host taking over from its previous incarnation) makes the
 *    old owner's jobs resumable at once, and they finish without redoing finished items;
 *  - a process that only reads never writes an owner row.
 */
import type { WritableDB } from '../../src-main/core/db/types'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { closeDatabase, openDatabase } from '../../src-main/core/db/open'
import type { CoreContext } from '../../src-main/core/context'
import {
  JobRunner,
  LEASE_MS,
  addJobItems,
  countJobItems,
  markJobItem,
  pendingJobItems,
  type JobKindImpl
} from '../../src-main/core/jobs/runner'
import { GlossaError } from '../../src-main/shared/errors'

/** A job kind that processes `n` items, one transaction each, a few ms apart. */
function slowJob(processed: string[], tag: string, n = 40): JobKindImpl {
  return {
    kind: 'import',
    async run(ctx, job, control) {
      if (countJobItems(ctx.db, job.id).total === 0)
        addJobItems(
          ctx.db,
          job.id,
          Array.from({ length: n }, (_, i) => `item-${i}`)
        )
      control.setPhase('work', n)
      for (;;) {
        if (control.signal.aborted) return
        const [item] = pendingJobItems(ctx.db, job.id, 0, 1)
        if (!item) return
        ctx.db.transaction(() => {
          processed.push(`${tag}:${item.key}`)
          markJobItem(ctx.db, job.id, item.seq, 'done')
        })()
        control.advance(1)
        await sleep(15)
      }
    }
  }
}

interface Proc {
  db: WritableDB
  runner: JobRunner
  ctx: CoreContext
  closing: AbortController
}

let dir: string
let file: string
const procs: Proc[] = []

function proc(label: string, processed: string[], n = 40): Proc {
  const db = openDatabase(file)
  const closing = new AbortController()
  const p = { db, closing } as Proc
  p.runner = new JobRunner(() => p.ctx, { label })
  p.ctx = {
    db,
    dataDir: dir,
    libraryFile: file,
    cacheDir: path.join(dir, 'cache'),
    backupDir: path.join(dir, 'backups'),
    actor: () => 'tester',
    emit: () => undefined,
    jobs: p.runner,
    closing: closing.signal
  }
  p.runner.register(slowJob(processed, label, n))
  procs.push(p)
  return p
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glossa-lease-'))
  file = path.join(dir, 'library.sqlite')
  closeDatabase(openDatabase(file))
})
afterEach(async () => {
  for (const p of procs.splice(0)) {
    await p.runner.shutdown()
    closeDatabase(p.db)
  }
  fs.rmSync(dir, { recursive: true, force: true })
})

const status = (db: WritableDB, id: number) =>
  (db.prepare('SELECT status FROM jobs WHERE id = ?').get(id) as { status: string }).status

describe('job leases', () => {
  it('recovery and resume leave a live owner’s job alone; cancel reaches it through a flag', async () => {
    const processed: string[] = []
    // long enough (300 items × 15 ms) for the owner's poll to see the flag, however loaded
    const a = proc('glossa serve', processed, 300)
    const b = proc('glossa import', processed, 300)
    const id = a.runner.create('import', null, {}).id
    while (processed.length < 3) await sleep(5)
    expect(b.runner.recover()).toEqual([])
    expect(status(b.db, id)).toBe('running')
    const seen = b.runner.info(id)
    expect(seen.owner).toMatchObject({
      label: 'glossa serve',
      pid: process.pid,
      self: false,
      live: true
    })
    const err = (() => {
      try {
        b.runner.resume(id)
      } catch (e) {
        return e as GlossaError
      }
      return null
    })()
    expect(err?.code).toBe('CONFLICT')
    expect(err?.message).toContain(`glossa serve (pid ${process.pid}`)
    b.runner.cancel(id)
    const final = await a.runner.wait(id)
    expect(final.status).toBe('cancelled')
    const done = countJobItems(a.db, id).done
    expect(done).toBeGreaterThan(0)
    expect(done).toBeLessThan(300)
    expect(processed.every((p) => p.startsWith('glossa serve:'))).toBe(true)
  })

  it('reclaim(ownerId) takes a previous owner’s jobs over at once; finished items are not redone', async () => {
    const processed: string[] = []
    const a = proc('core host 1', processed)
    const id = a.runner.create('import', null, {}).id
    while (processed.length < 5) await sleep(5)
    // the host dies without a word: its runner stops, its rows stay 'running' under its id
    a.closing.abort('shutdown')
    await a.runner.wait(id)
    a.db.prepare(`UPDATE jobs SET status = 'running' WHERE id = ?`).run(id)
    const b = proc('core host 2', processed)
    expect(b.runner.recover()).toEqual([]) // a's lease is still fresh
    expect(b.runner.reclaim(a.runner.ownerId)).toEqual([id])
    expect(status(b.db, id)).toBe('interrupted')
    b.runner.resume(id)
    expect((await b.runner.wait(id)).status).toBe('done')
    const keys = processed.map((p) => p.split(':')[1])
    expect(new Set(keys).size).toBe(40)
    expect(keys).toHaveLength(40)
  })

  it('an owner whose pid is gone on this host is dead at once; an expired lease is dead too', () => {
    const a = proc('reader', [])
    const dead = spawnSync(process.execPath, ['-e', 'process.pid']).pid!
    const now = Date.now()
    const ins = a.db.prepare(
      'INSERT INTO job_owners (id, host, pid, label, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)'
    )
    ins.run('gone', os.hostname(), dead, 'glossa import', now, now)
    ins.run('stale', 'other-host', 1, 'glossa serve', now - 2 * LEASE_MS, now - 2 * LEASE_MS)
    ins.run('fresh', 'other-host', 1, 'glossa serve', now, now)
    const job = (owner: string) =>
      Number(
        a.db
          .prepare(
            `INSERT INTO jobs (kind, params, status, created_at, owner) VALUES ('import', '{}', 'running', 1, ?)`
          )
          .run(owner).lastInsertRowid
      )
    const [g, s, f] = [job('gone'), job('stale'), job('fresh')]
    expect(a.runner.recover().sort()).toEqual([g, s].sort())
    expect(status(a.db, f)).toBe('running')
    expect(
      (a.db.prepare('SELECT id FROM job_owners ORDER BY id').all() as { id: string }[]).map(
        (r) => r.id
      )
    ).toEqual(['fresh'])
  })

  it('a process that only reads never writes an owner row', async () => {
    const a = proc('glossa ls', [])
    a.runner.recover()
    a.runner.list([], 10)
    await sleep(20)
    expect((a.db.prepare('SELECT count(*) AS n FROM job_owners').get() as { n: number }).n).toBe(0)
  })
})
