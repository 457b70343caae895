import os from 'node:os'
import path from 'node:path'
import { EventEmitter } from 'node:events'
import { z } from 'zod'
import {
  argSchemas,
  type EventName,
  type Events,
  type MediaVariant,
  type MethodName,
  type Result
} from '../shared/api'
import { GlossaError } from '../shared/errors'
import { closeDatabase, openDatabase } from './db/open'
import type { CoreContext, HandlerMap } from './context'
import { JobRunner } from './jobs/runner'
import { jobsHandlers } from './jobs/handlers'
import { libraryHandlers } from './library/handlers'
import { readSetting } from './library/queries'
import { imagesHandlers } from './images/handlers'
import { captionsHandlers } from './captions/handlers'
import { undoJob } from './captions/undo-job'
import { importHandlers } from './import/handlers'
import { importJob } from './import/job'
import { glossaryHandlers } from './glossary/handlers'
import { captioningHandlers } from './captioning/handlers'
import { captionJob } from './captioning/job'
import { downloadJob } from './captioning/download'
import { InferenceHost } from './captioning/inference/host'
import type { EndpointKeyStore } from './captioning/endpoint/keys'
import { cleanupHandlers } from './cleanup/handlers'
import { exportHandlers } from './export/handlers'
import { exportJob } from './export/job'
import { reviewHandlers } from './review/handlers'
import { bulkJob } from './review/bulk-job'
import { phashJob } from './review/phash-job'
import { getMedia, type MediaFile } from './media'

export interface CoreOptions {
  /** the user data folder: library, caches and backups live here */
  dataDir: string
  /** library file; default `<dataDir>/library.sqlite` */
  libraryFile?: string
  /** better-sqlite3 binding built for Electron's ABI (see README, "Native modules") */
  nativeBinding?: string
  /** resume jobs that a previous process left interrupted (the app does; the CLI asks) */
  resumeInterrupted?: boolean
  /** overrides the reviewer name (CLI `--as`); otherwise settings, then the OS user */
  actor?: string
  /** desktop app: where endpoint API keys are kept (Electron safeStorage, outside the library) */
  keyStore?: EndpointKeyStore
}

export interface Core {
  call<M extends MethodName>(method: M, args?: unknown): Promise<Result<M>>
  on<E extends EventName>(event: E, cb: (payload: Events[E]) => void): () => void
  media(imageId: number, variant: MediaVariant): Promise<MediaFile>
  close(): Promise<void>
  /** for tests, benchmarks and the CLI: resolves when a job reaches a final state */
  waitForJob(id: number): ReturnType<JobRunner['wait']>
  readonly libraryFile: string
  readonly dataDir: string
}

/** Every domain's slice of the handler map (one folder per domain under core/). */
export const handlers: HandlerMap = {
  ...libraryHandlers,
  ...importHandlers,
  ...imagesHandlers,
  ...captionsHandlers,
  ...jobsHandlers,
  ...glossaryHandlers,
  ...captioningHandlers,
  ...cleanupHandlers,
  ...exportHandlers,
  ...reviewHandlers
}

function defaultActor(): string {
  try {
    return os.userInfo().username || 'local'
  } catch {
    return 'local'
  }
}

/** The application: plain Node, never imports electron. */
export function createCore(opts: CoreOptions): Core {
  const dataDir = path.resolve(opts.dataDir)
  const libraryFile = path.resolve(opts.libraryFile ?? path.join(dataDir, 'library.sqlite'))
  const baseDir = path.dirname(libraryFile)
  const db = openDatabase(libraryFile, { nativeBinding: opts.nativeBinding })
  const bus = new EventEmitter()
  bus.setMaxListeners(100)
  const closing = new AbortController()
  const jobs = new JobRunner(() => ctx)
  let host: InferenceHost | null = null
  const ctx: CoreContext = {
    db,
    dataDir,
    libraryFile,
    cacheDir: path.join(baseDir, 'cache'),
    backupDir: path.join(baseDir, 'backups'),
    actor: () => {
      if (opts.actor) return opts.actor
      const v = readSetting(db, 'reviewer')
      return typeof v === 'string' && v.trim() ? v.trim() : defaultActor()
    },
    emit: (event, payload) => {
      bus.emit(event, payload)
    },
    jobs,
    closing: closing.signal,
    inference: () => (host ??= new InferenceHost()),
    ...(opts.keyStore ? { keyStore: opts.keyStore } : {})
  }
  jobs.register(importJob)
  jobs.register(captionJob)
  jobs.register(downloadJob)
  jobs.register(exportJob)
  jobs.register(bulkJob)
  jobs.register(phashJob)
  jobs.register(undoJob)
  const interrupted = jobs.recoverInterrupted()
  if (opts.resumeInterrupted) for (const id of interrupted) jobs.resume(id)

  let closed = false
  return {
    libraryFile,
    dataDir,
    async call(method, args = {}) {
      if (closed) throw new GlossaError('CONFLICT', 'the library is closed')
      if (typeof method !== 'string' || !Object.hasOwn(argSchemas, method)) {
        throw new GlossaError('UNKNOWN_METHOD', `unknown method: ${String(method)}`)
      }
      const schema = argSchemas[method] as z.ZodType
      const parsed = schema.safeParse(args)
      if (!parsed.success) {
        throw new GlossaError(
          'INVALID_ARGS',
          `${method}: ${z.prettifyError(parsed.error)}`,
          parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message }))
        )
      }
      const handler = handlers[method] as (c: CoreContext, a: unknown) => unknown
      return (await handler(ctx, parsed.data)) as Result<typeof method>
    },
    on(event, cb) {
      bus.on(event, cb)
      return () => bus.off(event, cb)
    },
    async media(imageId, variant) {
      if (!Number.isSafeInteger(imageId) || imageId <= 0)
        throw new GlossaError('INVALID_ARGS', `bad image id: ${String(imageId)}`)
      return getMedia(ctx, imageId, variant)
    },
    waitForJob: (id) => jobs.wait(id),
    async close() {
      if (closed) return
      closed = true
      closing.abort('shutdown')
      await jobs.shutdown()
      await host?.close()
      bus.removeAllListeners()
      closeDatabase(db)
    }
  }
}

export type { MediaFile }
