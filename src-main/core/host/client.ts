/**
 * The core in its own thread. `startCore(options)` starts the core host (worker.ts) in a
 * worker_threads Worker and returns the same `Core` interface createCore gives, so Electron main,
 * browser mode and the CLI only route: every call, media lookup and job wait crosses the worker's
 * MessagePort, and no SQLite statement, image decode or job slice ever runs on their event loop.
 *
 * A host that dies (a native crash, an out-of-memory abort) is reported and restarted: calls in
 * flight fail with UNAVAILABLE (their transactions either committed before the reply or rolled
 * back, so an acknowledged edit is on disk), a `core.status` event says what happened, the new
 * host resumes the jobs the dead one left, and the next calls go to it. A host that keeps dying
 * (three times within a minute) is not restarted again; calls then fail with the last reason.
 */
import { EventEmitter } from 'node:events'
import { SHARE_ENV, Worker } from 'node:worker_threads'
// The host decodes with sharp. On glibc Linux the main thread must load sharp before any worker
// does, or libvips is unloaded when a worker exits while others still use it (sharp docs).
import 'sharp'
import type { EventName, Events, JobInfo, MediaVariant, MethodName, Result } from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import type { Core, CoreOptions, MediaFile } from '../index'
import { resolveWorkerEntry } from '../worker-entry'
import type { KeyCipher } from '../captioning/endpoint/keys'
import { serveCipher } from './cipher'
import type { FromHost, HostData, ToHost } from './protocol'

export interface HostOptions {
  /** restarts allowed within `restartWindowMs` before the host is given up (default 3) */
  maxRestarts?: number
  restartWindowMs?: number
  /** how long close() waits for the host to finish its jobs' current slice (default 60 s) */
  closeTimeoutMs?: number
  /**
   * the desktop app's endpoint API keys: the key file and Electron's safeStorage, which stays on
   * the calling thread and answers the host's cipher calls (host/cipher.ts)
   */
  keys?: { file: string; cipher: KeyCipher }
}

/** The Core interface, plus what only a host has. */
export interface HostedCore extends Core {
  /** how many host threads were started (1 + restarts) */
  readonly starts: number
  /** tests only: makes the host thread die as a native crash would */
  crashForTest(): void
}

interface Pending {
  resolve(v: unknown): void
  reject(e: Error): void
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

function errorFrom(e: { code: string; message: string; details?: unknown }): GlossaError {
  return new GlossaError(e.code as GlossaError['code'], e.message, e.details)
}

/** Resolves when the worker has exited (also when it already had). */
const exits = new WeakMap<Worker, Promise<void>>()

function spawn(options: HostData['options'], keys: HostOptions['keys']): Worker {
  const entry = resolveWorkerEntry('core-host', import.meta.url, './worker.ts')
  const served = keys ? serveCipher(keys.cipher) : null
  const data: HostData = {
    options,
    glossaEntry: entry.glossaEntry,
    ...(keys && served ? { keys: { file: keys.file, bridge: served.bridge } } : {})
  }
  const w = new Worker(entry.url, {
    workerData: data,
    name: 'glossa-core',
    // the host reads the same live environment as the process that started it (browse roots,
    // endpoint key variables), as the core did when it ran in that process
    env: SHARE_ENV,
    transferList: served ? [served.bridge.port] : []
  })
  exits.set(
    w,
    new Promise((resolve) =>
      w.once('exit', () => {
        served?.close()
        resolve()
      })
    )
  )
  return w
}

/** Waits for the host's first message: ready (the library is open) or fatal (it cannot be). */
function handshake(w: Worker): Promise<{ libraryFile: string; dataDir: string; ownerId: string }> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: FromHost): void => {
      if (m.t === 'ready') {
        done()
        resolve({ libraryFile: m.libraryFile, dataDir: m.dataDir, ownerId: m.ownerId })
      } else if (m.t === 'fatal') {
        done()
        reject(errorFrom(m.error))
      }
    }
    const onError = (err: Error): void => {
      done()
      reject(new GlossaError('INTERNAL', `the Glossa core could not start: ${err.message}`))
    }
    const onExit = (code: number): void => {
      done()
      reject(new GlossaError('INTERNAL', `the Glossa core stopped while starting (exit ${code})`))
    }
    const done = (): void => {
      w.off('message', onMessage)
      w.off('error', onError)
      w.off('exit', onExit)
    }
    w.on('message', onMessage)
    w.on('error', onError)
    w.on('exit', onExit)
  })
}

/** Starts the core host and resolves once the library is open (rejects with the open's error). */
export async function startCore(
  coreOptions: CoreOptions,
  host: HostOptions = {}
): Promise<HostedCore> {
  if (coreOptions.keyStore)
    throw new GlossaError('INVALID_ARGS', 'startCore: pass endpoint keys as host options (keys)')
  const { keyStore: _inProcessOnly, ...options } = coreOptions
  void _inProcessOnly
  const maxRestarts = host.maxRestarts ?? 3
  const restartWindowMs = host.restartWindowMs ?? 60_000
  const closeTimeoutMs = host.closeTimeoutMs ?? 60_000
  const bus = new EventEmitter()
  bus.setMaxListeners(100)
  const pending = new Map<number, Pending>()
  let nextId = 1
  let starts = 0
  let closing = false
  let closed = false
  let failure: GlossaError | null = null
  const restarts: number[] = []

  let worker = spawn(options, host.keys)
  starts++
  const info = await handshake(worker).catch(async (err: unknown) => {
    await worker.terminate()
    throw err
  })
  let ready: Promise<void> = Promise.resolve()
  let ownerId = info.ownerId

  function attach(w: Worker): void {
    let crash: string | null = null
    w.on('message', (m: FromHost) => {
      if (m.t === 'event') {
        bus.emit(m.name, m.payload)
      } else if (m.t === 'reply') {
        const p = pending.get(m.id)
        if (!p) return
        pending.delete(m.id)
        if (m.ok) p.resolve(m.value)
        else p.reject(errorFrom(m.error))
      }
    })
    w.on('error', (err) => {
      crash = err.message
    })
    w.on('exit', (code) => {
      if (w !== worker || closing) return
      onCrash(crash ?? `exit code ${code}`)
    })
  }

  function onCrash(reason: string): void {
    const message = `the Glossa core stopped unexpectedly (${reason}); edits that were acknowledged are saved`
    for (const p of pending.values()) p.reject(new GlossaError('UNAVAILABLE', message))
    pending.clear()
    const now = Date.now()
    while (restarts.length && now - restarts[0]! > restartWindowMs) restarts.shift()
    if (restarts.length >= maxRestarts) {
      failure = new GlossaError(
        'UNAVAILABLE',
        `the Glossa core keeps stopping (${reason}); restart Glossa`
      )
      bus.emit('core.status', { state: 'failed', reason } satisfies Events['core.status'])
      return
    }
    restarts.push(now)
    bus.emit('core.status', { state: 'restarting', reason } satisfies Events['core.status'])
    // the dead host's jobs are taken over at once (its lease would keep them for 30 s)
    const dead = ownerId
    const w = spawn({ ...options, resumeInterrupted: true, reclaimOwners: [dead] }, host.keys)
    starts++
    worker = w
    ready = handshake(w).then(
      (next) => {
        ownerId = next.ownerId
        attach(w)
        bus.emit('core.status', { state: 'ready', reason } satisfies Events['core.status'])
        bus.emit('library.changed', {
          datasetId: null,
          imageIds: null,
          reason: 'core restarted'
        } satisfies Events['library.changed'])
      },
      (err: unknown) => {
        failure =
          err instanceof GlossaError
            ? err
            : errorFrom({ code: 'UNAVAILABLE', message: String(err) })
        bus.emit('core.status', {
          state: 'failed',
          reason: failure.message
        } satisfies Events['core.status'])
      }
    )
  }

  async function request(msg: DistributiveOmit<ToHost, 'id'>): Promise<unknown> {
    if (closed || closing) throw new GlossaError('CONFLICT', 'the library is closed')
    await ready
    if (failure) throw failure
    const id = nextId++
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject })
      worker.postMessage({ ...msg, id } as ToHost)
    })
  }

  attach(worker)

  return {
    libraryFile: info.libraryFile,
    dataDir: info.dataDir,
    get ownerId() {
      return ownerId
    },
    get starts() {
      return starts
    },
    call<M extends MethodName>(method: M, args: unknown = {}): Promise<Result<M>> {
      return request({ t: 'call', method, args }) as Promise<Result<M>>
    },
    on<E extends EventName>(event: E, cb: (payload: Events[E]) => void): () => void {
      bus.on(event, cb)
      return () => bus.off(event, cb)
    },
    media(imageId: number, variant: MediaVariant): Promise<MediaFile> {
      if (!Number.isSafeInteger(imageId) || imageId <= 0)
        return Promise.reject(new GlossaError('INVALID_ARGS', `bad image id: ${String(imageId)}`))
      return request({ t: 'media', imageId, variant }) as Promise<MediaFile>
    },
    waitForJob(id: number): Promise<JobInfo> {
      return request({ t: 'wait', jobId: id }) as Promise<JobInfo>
    },
    crashForTest(): void {
      worker.postMessage({ t: 'crash' } satisfies ToHost)
    },
    async close(): Promise<void> {
      if (closed || closing) return
      await ready.catch(() => undefined)
      closing = true
      const w = worker
      const exited = exits.get(w)!
      if (!failure) {
        const id = nextId++
        const done = new Promise<unknown>((resolve, reject) => pending.set(id, { resolve, reject }))
        w.postMessage({ t: 'close', id } satisfies ToHost)
        let timer: NodeJS.Timeout | undefined
        const timeout = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, closeTimeoutMs)
        })
        await Promise.race([done.catch(() => undefined), exited, timeout])
        clearTimeout(timer)
      }
      await w.terminate()
      await exited
      for (const p of pending.values()) p.reject(new GlossaError('CANCELLED', 'the library closed'))
      pending.clear()
      closed = true
      bus.removeAllListeners()
    }
  }
}
