/**
 * The core host thread: opens the library with createCore and serves the contract's calls, media
 * lookups and job waits over the worker's MessagePort, passing every push event on. SQLite, sharp
 * and job work run here, never on the thread that routes IPC or HTTP.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { EVENT_NAMES, type MethodName } from '../../shared/api'
import { toApiError } from '../../shared/errors'
import { createCore, type Core } from '../index'
import { EndpointKeyStore } from '../captioning/endpoint/keys'
import { remoteCipher } from './cipher'
import type { FromHost, HostData, ToHost } from './protocol'

const port = parentPort
if (!port) throw new Error('core/host/worker.ts must run in a worker thread')
const data = workerData as HostData
const send = (msg: FromHost): void => port.postMessage(msg)

let core: Core
try {
  const keyStore = data.keys
    ? new EndpointKeyStore(data.keys.file, remoteCipher(data.keys.bridge))
    : undefined
  core = createCore({ ...data.options, ...(keyStore ? { keyStore } : {}) })
} catch (err) {
  send({ t: 'fatal', error: toApiError(err) })
  port.close()
  process.exit(0)
}

for (const name of EVENT_NAMES) core.on(name, (payload) => send({ t: 'event', name, payload }))

async function answer(id: number, work: () => Promise<unknown>): Promise<void> {
  try {
    send({ t: 'reply', id, ok: true, value: await work() })
  } catch (err) {
    send({ t: 'reply', id, ok: false, error: toApiError(err) })
  }
}

port.on('message', (msg: ToHost) => {
  switch (msg.t) {
    case 'call':
      void answer(msg.id, () => core.call(msg.method as MethodName, msg.args))
      return
    case 'media':
      void answer(msg.id, () => core.media(msg.imageId, msg.variant))
      return
    case 'wait':
      void answer(msg.id, () => core.waitForJob(msg.jobId))
      return
    case 'close':
      void answer(msg.id, () => core.close()).then(() => port.close())
      return
    case 'crash':
      process.exit(70)
  }
})

send({ t: 'ready', libraryFile: core.libraryFile, dataDir: core.dataDir, ownerId: core.ownerId })
