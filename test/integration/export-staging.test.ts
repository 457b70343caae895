/**
 * Export staging folders never outlive their export (issue 11, item 7):
 *  - a full disk while the staging folder's marker is written leaves no folder behind;
 *  - a folder whose marker is empty or cut short (written by a build before that fix, on a full
 *    disk) is still recognised by its name and removed once its process is gone;
 *  - a killed export's staging folder is removed as soon as its job is reclaimed (the next open
 *    of the library), not only by the next export to the same destination.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createCore } from '../../src-main/core'
import { closeDatabase, openDatabase } from '../../src-main/core/db/open'
import { cleanStaleStaging, createStaging } from '../../src-main/core/export/safety'
import { seedLibrary } from '../db/helpers'

let tmp: string
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'glossa-staging-'))
})
afterEach(() => {
  vi.restoreAllMocks()
  fs.rmSync(tmp, { recursive: true, force: true })
})

/** A pid that existed and is gone now. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '0']).pid!
const stagings = () => fs.readdirSync(tmp).filter((n) => n.includes('glossa-staging'))

describe('export staging folders', () => {
  it('a full disk while writing the marker leaves no staging folder', async () => {
    const dest = path.join(tmp, 'out')
    // the disk fills up exactly when the marker is written (a full disk cannot be made here)
    vi.spyOn(fs.promises, 'writeFile').mockRejectedValueOnce(
      Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
    )
    await expect(createStaging(dest)).rejects.toMatchObject({ code: 'ENOSPC' })
    expect(stagings()).toEqual([])
  })

  it('a folder with an empty marker is recognised by its name and removed once its process is gone', async () => {
    const dest = path.join(tmp, 'out')
    const dead = path.join(tmp, `.out.glossa-staging-${deadPid()}-0badc0de`)
    const live = path.join(tmp, `.out.glossa-staging-1-0badc0de`) // pid 1 is always alive
    const foreign = path.join(tmp, '.out.glossa-staging-notours')
    for (const d of [dead, live, foreign]) {
      fs.mkdirSync(d)
      fs.writeFileSync(path.join(d, '.glossa-staging.json'), '')
      fs.writeFileSync(path.join(d, 'a.txt'), 'work')
    }
    expect(await cleanStaleStaging(dest)).toEqual([dead])
    expect(fs.existsSync(live)).toBe(true)
    expect(fs.existsSync(foreign)).toBe(true)
  })

  it('a killed export’s staging folder goes when its job is reclaimed, at the next open', async () => {
    const libDir = path.join(tmp, 'lib')
    const file = path.join(libDir, 'library.sqlite')
    const dest = path.join(tmp, 'out')
    const db = openDatabase(file)
    const ds = seedLibrary(db, { datasets: 1, imagesPerDataset: 5, seed: 1 }).datasetIds[0]!
    // what a SIGKILLed export leaves: its job 'running' under a dead owner, its staging folder
    db.prepare(
      `INSERT INTO job_owners (id, host, pid, label, started_at, heartbeat_at) VALUES ('x', ?, ?, 'glossa export', 1, ?)`
    ).run(os.hostname(), deadPid(), Date.now())
    db.prepare(
      `INSERT INTO jobs (kind, dataset_id, params, status, created_at, owner) VALUES ('export', ?, ?, 'running', 1, 'x')`
    ).run(ds, JSON.stringify({ datasetId: ds, profile: { format: 'kohya' }, destination: dest }))
    closeDatabase(db)
    const staging = path.join(tmp, `.out.glossa-staging-${deadPid()}-12345678`)
    fs.mkdirSync(staging)
    fs.writeFileSync(
      path.join(staging, '.glossa-staging.json'),
      JSON.stringify({ pid: deadPid(), destination: dest })
    )
    const core = createCore({ dataDir: libDir, libraryFile: file })
    try {
      for (let i = 0; i < 200 && fs.existsSync(staging); i++) await sleep(10)
      expect(fs.existsSync(staging)).toBe(false)
      const jobs = await core.call('jobs.list', {})
      expect(jobs[0]?.status).toBe('interrupted')
    } finally {
      await core.close()
    }
  })
})
