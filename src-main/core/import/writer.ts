/**
 * Where the import's batches are written. The file work (reads, hashes, decodes) is driven from
 * this thread's event loop: every step of every file in flight needs it for a moment. A batch
 * written here holds the loop for the whole transaction (tens of milliseconds: the rows, their
 * indexes, full-text and summary triggers), and the file work in flight waits behind it. So
 * batches go to a writer thread with its own connection to the library, which commits them in
 * order while the files of the next batches are read; each batch is still ONE transaction
 * (rows and job-item marks), so a crash at any moment leaves whole batches or none.
 * In-memory libraries (tests) and a writer thread that cannot start write here instead.
 */
import { Worker } from 'node:worker_threads'
import type { WritableDB } from '../db/types'
import { resolveWorkerEntry } from '../worker-entry'
import { writeBatch } from './store'
import type { ItemOutcome } from './item'

export interface WriterData {
  libraryFile: string
  nativeBinding?: string
  glossaEntry?: string
}

export type WriterRequest =
  | {
      type: 'write'
      id: number
      jobId: number
      datasetId: number
      root: string
      outcomes: ItemOutcome[]
      actor: string
    }
  | { type: 'close' }

export type WriterReply =
  | { type: 'ready' }
  | { type: 'failed'; message: string; code?: string; name?: string }
  | { type: 'written'; id: number; images: number }
  | { type: 'error'; id: number; message: string; code?: string; name?: string }

export interface BatchTarget {
  jobId: number
  datasetId: number
  root: string
  actor: string
}

export interface BatchWriter {
  /** resolves once the batch is committed, with how many image rows it wrote */
  write(outcomes: ItemOutcome[]): Promise<number>
  /** after every write has settled */
  close(): Promise<void>
  /** 'thread' or 'here' (for tests and benchmarks) */
  readonly where: 'thread' | 'here'
}

export function writerHere(db: WritableDB, t: BatchTarget): BatchWriter {
  return {
    where: 'here',
    write: (outcomes) => {
      try {
        const res = writeBatch(db, t.jobId, t.datasetId, t.root, outcomes, t.actor)
        return Promise.resolve(res.imageIds.length)
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)))
      }
    },
    close: () => Promise.resolve()
  }
}

function rebuild(m: { message: string; code?: string; name?: string }): Error {
  const err = new Error(m.message) as Error & { code?: string }
  if (m.code) err.code = m.code
  if (m.name) err.name = m.name
  return err
}

/** A writer thread on its own connection; null when it cannot start (the caller writes here). */
export async function startWriterThread(
  libraryFile: string,
  nativeBinding: string | undefined,
  t: BatchTarget
): Promise<BatchWriter | null> {
  const entry = resolveWorkerEntry('import-writer', import.meta.url, './writer-worker.ts')
  const data: WriterData = {
    libraryFile,
    ...(nativeBinding ? { nativeBinding } : {}),
    ...(entry.glossaEntry ? { glossaEntry: entry.glossaEntry } : {})
  }
  let w: Worker
  try {
    w = new Worker(entry.url, { workerData: data, name: 'glossa-import-writer' })
  } catch {
    return null
  }
  const pending = new Map<number, { resolve: (n: number) => void; reject: (e: Error) => void }>()
  let nextId = 1
  let dead: Error | null = null
  const failAll = (err: Error) => {
    dead ??= err
    for (const p of pending.values()) p.reject(err)
    pending.clear()
  }
  const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()))
  const ready = new Promise<boolean>((resolve) => {
    w.on('message', (m: WriterReply) => {
      if (m.type === 'ready') return resolve(true)
      if (m.type === 'failed') {
        failAll(rebuild(m))
        return resolve(false)
      }
      const p = pending.get(m.id)
      if (!p) return
      pending.delete(m.id)
      if (m.type === 'written') p.resolve(m.images)
      else p.reject(rebuild(m))
    })
    w.on('error', (err) => {
      failAll(err)
      resolve(false)
    })
    void exited.then(() => {
      failAll(new Error('the import writer thread stopped'))
      resolve(false)
    })
  })
  if (!(await ready)) {
    await w.terminate()
    return null
  }
  return {
    where: 'thread',
    write(outcomes) {
      if (dead) return Promise.reject(dead)
      const id = nextId++
      const req: WriterRequest = { type: 'write', id, outcomes, ...t }
      return new Promise<number>((resolve, reject) => {
        pending.set(id, { resolve, reject })
        w.postMessage(req)
      })
    },
    async close() {
      if (!dead) {
        w.postMessage({ type: 'close' } satisfies WriterRequest)
        await exited
      } else await w.terminate()
    }
  }
}
