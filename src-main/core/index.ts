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
import { GlossaError, MAX_ISSUES, toApiError } from '../shared/errors'
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
  /**
   * open for reading only (the CLI's read commands): nothing is migrated, recovered or written,
   * and every write is refused with READ_ONLY naming the file
   */
  readonly?: boolean
  /** what this process is, named to other processes that meet its jobs ('glossa serve', …) */
  processLabel?: string
  /**
   * owner ids of job runners known to be dead though this process lives (a core host thread
   * that crashed and was restarted): their jobs are reclaimed at once instead of when their
   * lease expires, and resumed with `resumeInterrupted`
   */
  reclaimOwners?: string[]
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
  /** this core's job-runner owner id (see jobs/runner.ts) */
  readonly ownerId: string
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
  const db = openDatabase(libraryFile, {
    nativeBinding: opts.nativeBinding,
    readonly: opts.readonly
  })
  const bus = new EventEmitter()
  bus.setMaxListeners(100)
  const closing = new AbortController()
  const jobs = new JobRunner(() => ctx, { label: opts.processLabel ?? 'Glossa' })
  /** set when SQLite reported damage: from then on nothing is written (query_only) */
  let corrupt = false
  let host: InferenceHost | null = null
  const ctx: CoreContext = {
    db,
    dataDir,
    libraryFile,
    ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}),
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
  if (!opts.readonly) {
    try {
      const reclaimed = jobs.recover()
      for (const owner of opts.reclaimOwners ?? [])
        if (owner !== jobs.ownerId) reclaimed.push(...jobs.reclaim(owner))
      if (opts.resumeInterrupted) for (const id of reclaimed) jobs.resume(id)
    } catch (err) {
      closeDatabase(db)
      const e = toApiError(err, { file: libraryFile })
      throw new GlossaError(e.code, e.message, e.details)
    }
  }

  /** Any error as a GlossaError with a stable code, naming the library for SQLite's errors. */
  const mapError = (err: unknown): unknown => {
    if (err instanceof GlossaError) return err
    const e = toApiError(err, { file: libraryFile })
    if (e.code === 'LIBRARY_CORRUPT' && !corrupt && db.open) {
      corrupt = true
      try {
        db.pragma('query_only = ON')
      } catch {
        // already unusable
      }
      void jobs.shutdown()
    }
    if (corrupt && e.code === 'READ_ONLY')
      return new GlossaError(
        'LIBRARY_CORRUPT',
        `${libraryFile}: the library was found damaged earlier in this session, so Glossa no longer writes to it; restore a backup or open a copy.`,
        { file: libraryFile }
      )
    if (e.code === 'INTERNAL') return err
    return new GlossaError(e.code, e.message, e.details)
  }

  let closed = false
  return {
    libraryFile,
    dataDir,
    ownerId: jobs.ownerId,
    async call(method, args = {}) {
      if (closed) throw new GlossaError('CONFLICT', 'the library is closed')
      if (typeof method !== 'string' || !Object.hasOwn(argSchemas, method)) {
        throw new GlossaError('UNKNOWN_METHOD', `unknown method: ${String(method)}`)
      }
      checkArgShape(method, args)
      const schema = argSchemas[method] as z.ZodType
      const parsed = schema.safeParse(args)
      if (!parsed.success) throw invalidArgs(method, parsed.error)
      const handler = handlers[method] as (c: CoreContext, a: unknown) => unknown
      try {
        return (await handler(ctx, parsed.data)) as Result<typeof method>
      } catch (err) {
        throw mapError(err)
      }
    },
    on(event, cb) {
      bus.on(event, cb)
      return () => bus.off(event, cb)
    },
    async media(imageId, variant) {
      if (!Number.isSafeInteger(imageId) || imageId <= 0)
        throw new GlossaError('INVALID_ARGS', `bad image id: ${String(imageId)}`)
      try {
        return await getMedia(ctx, imageId, variant)
      } catch (err) {
        throw mapError(err)
      }
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

/** Deepest nesting, most values and longest array an argument object may have. */
export const ARG_LIMITS = { depth: 64, values: 2_000_000, array: 1_000_000 } as const

/**
 * Refuses argument objects whose SHAPE is hostile before zod walks them: nesting deeper than
 * any method takes (a 3,000-deep array overflowed the stack), or more values than any method
 * takes (millions of invalid elements made millions of issues), and NUL characters, which no
 * text or path may hold (SQLite's search and Node's file APIs fail on them). Iterative.
 */
export function checkArgShape(method: string, args: unknown): void {
  if (typeof args === 'string' && args.includes('\0')) throw nulError(method)
  const stack: [unknown, number][] = [[args, 0]]
  let values = 0
  while (stack.length) {
    const [v, depth] = stack.pop()!
    if (typeof v !== 'object' || v === null) continue
    if (depth >= ARG_LIMITS.depth)
      throw new GlossaError(
        'TOO_LARGE',
        `${method}: the arguments are nested more than ${ARG_LIMITS.depth} levels deep`
      )
    const items: unknown[] = Array.isArray(v) ? v : Object.values(v)
    if (!Array.isArray(v) && Object.keys(v).some((k) => k.includes('\0'))) throw nulError(method)
    if (Array.isArray(v) && v.length > ARG_LIMITS.array)
      throw new GlossaError(
        'TOO_LARGE',
        `${method}: a list of ${v.length.toLocaleString('en')} items; the limit is ${ARG_LIMITS.array.toLocaleString('en')}`
      )
    values += items.length
    if (values > ARG_LIMITS.values)
      throw new GlossaError(
        'TOO_LARGE',
        `${method}: more than ${ARG_LIMITS.values.toLocaleString('en')} values in the arguments`
      )
    for (const x of items) {
      if (typeof x === 'object' && x !== null) stack.push([x, depth + 1])
      else if (typeof x === 'string' && x.includes('\0')) throw nulError(method)
    }
  }
}

function nulError(method: string): GlossaError {
  return new GlossaError(
    'INVALID_ARGS',
    `${method}: a text or path contains a NUL character (\\0), which no caption, search or file name may hold`
  )
}

/** INVALID_ARGS listing the first MAX_ISSUES problems (paths shortened), counting the rest. */
function invalidArgs(method: string, error: z.ZodError): GlossaError {
  const issues = error.issues.slice(0, MAX_ISSUES).map((i) => ({
    ...i,
    path: i.path.length > 8 ? [...i.path.slice(0, 8), '…'] : i.path
  }))
  const more = error.issues.length - issues.length
  const text = z.prettifyError(new z.ZodError(issues as z.core.$ZodIssue[]))
  return new GlossaError(
    'INVALID_ARGS',
    `${method}: ${text}${more > 0 ? `\n(and ${more.toLocaleString('en')} more problems)` : ''}`,
    issues.map((i) => ({ path: i.path.map(String), message: i.message }))
  )
}

export type { MediaFile }
