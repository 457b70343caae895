/**
 * The import's batch writer thread (see writer.ts): its own connection to the library, and
 * writeBatch for each batch it is sent, in order; each batch answers once committed.
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads'
import { openSecondConnection } from '../db/open'
import { writeBatch } from './store'
import type { WriterData, WriterReply, WriterRequest } from './writer'

const port = parentPort
if (!port) throw new Error('writer-worker: not started as a worker thread')
const data = workerData as WriterData

function reply(m: WriterReply): void {
  port!.postMessage(m)
}

let db: ReturnType<typeof openSecondConnection> | null = null
try {
  db = openSecondConnection(data.libraryFile, {
    ...(data.nativeBinding ? { nativeBinding: data.nativeBinding } : {})
  })
  reply({ type: 'ready' })
} catch (err) {
  reply({ type: 'failed', ...describe(err) })
}

function describe(err: unknown): { message: string; code?: string; name?: string } {
  const code = (err as { code?: unknown } | null)?.code
  return {
    message: err instanceof Error ? err.message : String(err),
    ...(typeof code === 'string' ? { code } : {}),
    ...(err instanceof Error ? { name: err.name } : {})
  }
}

type WriteRequest = Extract<WriterRequest, { type: 'write' }>

/**
 * Batches that queued up while the last transaction ran are committed together (one commit and
 * one full-text flush for all of them, instead of one each): still whole batches, in order, so a
 * crash leaves whole batches or none. At most MAX_ROWS rows per transaction (the lock is held that long).
 */
const MAX_ROWS = 512

function writeGroup(group: WriteRequest[]): void {
  if (!db) {
    for (const m of group)
      reply({ type: 'error', id: m.id, message: 'the writer has no connection' })
    return
  }
  const conn = db
  try {
    const images = conn.transaction(() =>
      group.map(
        (m) => writeBatch(conn, m.jobId, m.datasetId, m.root, m.outcomes, m.actor).imageIds.length
      )
    )()
    group.forEach((m, i) => reply({ type: 'written', id: m.id, images: images[i]! }))
  } catch (err) {
    for (const m of group) reply({ type: 'error', id: m.id, ...describe(err) })
  }
}

function close(): void {
  if (db?.open) db.close()
  db = null
  port!.close()
}

port.on('message', (first: WriterRequest) => {
  if (first.type === 'close') return close()
  const group: WriteRequest[] = [first]
  let rows = first.outcomes.length
  let closing = false
  while (rows < MAX_ROWS) {
    const next = receiveMessageOnPort(port)?.message as WriterRequest | undefined
    if (!next) break
    if (next.type === 'close') {
      closing = true
      break
    }
    group.push(next)
    rows += next.outcomes.length
  }
  writeGroup(group)
  if (closing) close()
})
