/**
 * The import's batch writer thread (see writer.ts): its own connection to the library, and
 * writeBatch for each batch it is sent, in order; each batch answers once committed.
 */
import { parentPort, workerData } from 'node:worker_threads'
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

port.on('message', (m: WriterRequest) => {
  if (m.type === 'close') {
    if (db?.open) db.close()
    db = null
    port.close()
    return
  }
  if (!db) return reply({ type: 'error', id: m.id, message: 'the writer has no connection' })
  try {
    const res = writeBatch(db, m.jobId, m.datasetId, m.root, m.outcomes, m.actor)
    reply({ type: 'written', id: m.id, images: res.imageIds.length })
  } catch (err) {
    reply({ type: 'error', id: m.id, ...describe(err) })
  }
})
