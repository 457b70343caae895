import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { createCore, type Core } from '../../src-main/core'
import { makeBadFolder, RUNNING_AS_ROOT } from '../fixtures/generate'

const cleanup: string[] = []
let core: Core | null = null
let ro: Database.Database | null = null

afterEach(async () => {
  ro?.close()
  ro = null
  await core?.close()
  core = null
  for (const d of cleanup.splice(0)) {
    await fs.promises.chmod(path.join(d, 'src', 'locked.jpg'), 0o644).catch(() => undefined)
    await fs.promises.rm(d, { recursive: true, force: true })
  }
})

interface Row {
  id: number
  rel_path: string
  error: string | null
  width: number | null
  sha256: string | null
  raw_caption: string | null
}

describe('import of bad input', () => {
  it('gives one error row with a reason per bad file, imports the valid ones, and completes', async () => {
    const tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'glossa-bad-'))
    cleanup.push(tmp)
    const src = path.join(tmp, 'src')
    await fs.promises.mkdir(src)
    const entries = await makeBadFolder(src)
    core = createCore({ dataDir: path.join(tmp, 'data') })

    const { jobId } = await core.call('import.start', { dir: src })
    const job = await core.waitForJob(jobId)
    expect(job.status).toBe('done')
    const bad = entries.filter((e) => e.error)
    expect(bad.length).toBeGreaterThanOrEqual(RUNNING_AS_ROOT ? 9 : 10)
    expect(job.failed).toBe(bad.length)
    expect(job.done).toBe(entries.length - bad.length)

    ro = new Database(core.libraryFile, { readonly: true })
    const rows = ro.prepare('SELECT * FROM images').all() as Row[]
    const byRel = new Map(rows.map((r) => [r.rel_path, r]))
    expect(rows.length).toBe(entries.length)
    const failedItems = new Map(
      (
        ro
          .prepare(`SELECT key, error FROM job_items WHERE job_id = ? AND status = 'failed'`)
          .all(jobId) as {
          key: string
          error: string
        }[]
      ).map((i) => [i.key, i.error])
    )
    for (const e of entries) {
      const r = byRel.get(e.relPath)
      expect(r, e.relPath).toBeDefined()
      if (e.error) {
        expect(r!.error, `${e.relPath} (${e.why})`).toMatch(e.error)
        expect(r!.sha256, e.relPath).toBeNull()
        // The job's error list names the file with the same reason.
        expect(failedItems.get(path.join(src, e.relPath)), e.relPath).toBe(r!.error)
      } else {
        expect(r!.error, `${e.relPath} (${e.why})`).toBeNull()
        expect(r!.width, e.relPath).toBeGreaterThan(0)
        expect(r!.sha256, e.relPath).toMatch(/^[0-9a-f]{64}$/)
      }
    }
    expect(byRel.get('good2.jpg')!.raw_caption).toBe('a tower beside bad files')

    // The reasons reach the API too.
    const errs = await core.call('jobs.errors', { id: jobId })
    expect(errs.items.map((i) => i.key).sort()).toEqual(
      bad.map((e) => path.join(src, e.relPath)).sort()
    )

    // Media for an error row is refused with the reason, not served.
    const truncated = byRel.get('truncated.jpg')!
    await expect(core.media(truncated.id, 'thumb')).rejects.toMatchObject({
      code: 'IO_ERROR',
      message: expect.stringMatching(/truncated\.jpg: .*(premature end|damaged or cut short)/i)
    })

    // Importing the same folder again keeps one row per path.
    const again = await core.call('import.start', { dir: src })
    expect((await core.waitForJob(again.jobId)).status).toBe('done')
    const count = ro.prepare('SELECT count(*) AS n, count(DISTINCT path) AS d FROM images').get()
    expect(count).toEqual({ n: entries.length, d: entries.length })
  })
})
