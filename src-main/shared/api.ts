/**
 * The one contract between the renderer (via preload or HTTP), the CLI and the core.
 * Environment-free: imports nothing but zod. Every method has a zod argument schema and a result
 * type in its domain's file under ./contract (one per core/<domain>/ folder); core validates every
 * call against `argSchemas` and rejects unknown methods. Push events are listed in `Events`.
 */
import { z } from 'zod'
import { libraryArgs, type LibraryResults } from './contract/library'
import { imagesArgs, type ImagesResults } from './contract/images'
import { importArgs, type ImportResults } from './contract/import'
import { captionsArgs, type CaptionsResults } from './contract/captions'
import { jobsArgs, type JobsResults } from './contract/jobs'
import { captioningArgs, type CaptioningResults } from './contract/captioning'
import { glossaryArgs, type GlossaryResults } from './contract/glossary'
import { cleanupArgs, type CleanupResults } from './contract/cleanup'
import { exportArgs, type ExportResults } from './contract/export'
import { reviewArgs, type ReviewResults } from './contract/review'
import type { JobProgress, JobInfo } from './contract/jobs'
import type { CHANGE_KINDS } from './constants'

export type ChangeKind = (typeof CHANGE_KINDS)[number]

export * from './schemas'
export * from './contract/library'
export * from './contract/images'
export * from './contract/import'
export * from './contract/captions'
export * from './contract/jobs'
export * from './contract/captioning'
export * from './contract/glossary'
export * from './contract/cleanup'
export * from './contract/export'
export * from './contract/review'

// ---------------------------------------------------------------------------------------------
// Methods: argument schemas
export const argSchemas = {
  ...libraryArgs,
  ...imagesArgs,
  ...importArgs,
  ...captionsArgs,
  ...jobsArgs,
  ...captioningArgs,
  ...glossaryArgs,
  ...cleanupArgs,
  ...exportArgs,
  ...reviewArgs
} as const

export type MethodName = keyof typeof argSchemas
export const METHOD_NAMES = Object.keys(argSchemas) as MethodName[]
/** What a caller passes (defaults may be omitted). */
export type Args<M extends MethodName> = z.input<(typeof argSchemas)[M]>
/** What a handler receives after validation (defaults filled in). */
export type ParsedArgs<M extends MethodName> = z.output<(typeof argSchemas)[M]>

// ---------------------------------------------------------------------------------------------
// Result types
export interface Results
  extends
    LibraryResults,
    ImagesResults,
    ImportResults,
    CaptionsResults,
    JobsResults,
    CaptioningResults,
    GlossaryResults,
    CleanupResults,
    ExportResults,
    ReviewResults {}

// Compile-time check: every method has a result type and vice versa.
type _Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never
const _methodsMatch: _Exact<MethodName, keyof Results> = true
void _methodsMatch

export type Result<M extends MethodName> = Results[M]

// ---------------------------------------------------------------------------------------------
// Push events
export interface Events {
  'job.progress': JobProgress
  'job.finished': JobInfo
  /** something in the library changed (edits, undo, import batches) */
  'library.changed': {
    /** the dataset that changed; null = several datasets or the library as a whole */
    datasetId: number | null
    /** every dataset that changed, when known (absent = any dataset may have changed) */
    datasetIds?: number[]
    /** the images that changed, when known and few; null = any image of the dataset(s) */
    imageIds: number[] | null
    /** what kinds of data changed (see CHANGE_KINDS); absent = anything may have changed */
    kinds?: ChangeKind[]
    reason: string
  }
  /** the core host thread stopped unexpectedly and is restarting, is ready again, or gave up */
  'core.status': { state: 'restarting' | 'ready' | 'failed'; reason: string }
}
export type EventName = keyof Events
export const EVENT_NAMES: EventName[] = [
  'job.progress',
  'job.finished',
  'library.changed',
  'core.status'
]

// ---------------------------------------------------------------------------------------------
// ---------------------------------------------------------------------------------------------
/** The interface the renderer sees, whichever transport carries it. */
export interface GlossaClient {
  call<M extends MethodName>(method: M, args: Args<M>): Promise<Result<M>>
  on<E extends EventName>(event: E, cb: (payload: Events[E]) => void): () => void
}
