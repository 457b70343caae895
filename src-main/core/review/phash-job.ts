/**
 * Job kind 'phash': computes the perceptual hash (review/phash.ts) of good images that lack one
 * (of one dataset, or all), or of all of them with `redo`. Phase 'select' records the image ids
 * as job items; phase 'hash' decodes a few files at a time through sharp's async API and stores
 * each chunk's hashes and item marks in one short transaction. Hashes are derived data, not
 * edits: they are not journaled. An unreadable file fails its item with the path and reason and
 * gets the empty hash '' (not retried by later finds; `redo` retries it).
 */
import { yieldLoop } from './bulk'
import { phashFile } from './phash'
import {
  addJobItems,
  countJobItems,
  markJobItem,
  pendingJobItems,
  type JobKindImpl
} from '../jobs/runner'
import { deleteJobItems, jobProgressRow } from '../jobs/queries'
import { imagePath, phashCandidates, storePhash } from './queries'

const CHUNK = 32
const PARALLEL = 4

export const phashJob: JobKindImpl = {
  kind: 'phash',
  async run(ctx, job, control) {
    const { db } = ctx
    const redo = job.params.redo === true
    const persisted = jobProgressRow(db, job.id)
    if (persisted.phase !== 'hash') {
      control.setPhase('select', 0)
      deleteJobItems(db, job.id)
      const ids = phashCandidates(db, job.datasetId, redo)
      for (let k = 0; k < ids.length; k += 5000) {
        addJobItems(db, job.id, ids.slice(k, k + 5000).map(String))
        await yieldLoop()
      }
      control.setPhase('hash', ids.length)
    }
    const counts = countJobItems(db, job.id)
    control.setPhase('hash', counts.total)
    control.advance(counts.done - persisted.done, counts.failed - persisted.failed)
    let afterSeq = 0
    for (;;) {
      if (control.signal.aborted || !db.open) return
      const items = pendingJobItems(db, job.id, afterSeq, CHUNK)
      if (!items.length) break
      afterSeq = items[items.length - 1]!.seq
      const results: { seq: number; id: number; hash: string | null; error: string | null }[] = []
      let next = 0
      const worker = async () => {
        while (next < items.length) {
          const it = items[next++]!
          const id = Number(it.key)
          const file = imagePath(db, id)
          if (file === undefined) {
            results.push({
              seq: it.seq,
              id,
              hash: null,
              error: `image ${id} is no longer in the library`
            })
            continue
          }
          try {
            results.push({ seq: it.seq, id, hash: await phashFile(file), error: null })
          } catch (e) {
            results.push({ seq: it.seq, id, hash: null, error: `${file}: ${(e as Error).message}` })
          }
        }
      }
      await Promise.all(Array.from({ length: PARALLEL }, worker))
      if (!db.open) return
      let done = 0
      let failed = 0
      db.transaction(() => {
        for (const r of results) {
          if (r.hash !== null) {
            storePhash(db, r.id, r.hash)
            markJobItem(db, job.id, r.seq, 'done')
            done++
          } else {
            // '' marks "could not hash" so later finds do not retry it (dupes.hash redo does)
            storePhash(db, r.id, '')
            markJobItem(db, job.id, r.seq, 'failed', r.error)
            failed++
          }
        }
      }).immediate()
      control.advance(done, failed)
    }
  }
}
