/**
 * Messages between a process's routing thread (Electron main, the HTTP server, the CLI) and the
 * core host thread that owns the library. Everything is structured-cloneable; errors cross as the
 * contract's `{ code, message, details }`.
 */
import type { ApiError, EventName, MediaVariant } from '../../shared/api'
import type { CoreOptions } from '../index'
import type { CipherBridge } from './cipher'

/** workerData of the host thread */
export interface HostData {
  /** everything but keyStore (an object with methods; see `keys`) */
  options: Omit<CoreOptions, 'keyStore'>
  /** the desktop app's endpoint key store: its file, and the main thread's cipher through a bridge */
  keys?: { file: string; bridge: CipherBridge }
  /** set for runs from source (see worker-entry.ts) */
  glossaEntry?: string
}

export type ToHost =
  | { t: 'call'; id: number; method: string; args: unknown }
  | { t: 'media'; id: number; imageId: number; variant: MediaVariant }
  | { t: 'wait'; id: number; jobId: number }
  | { t: 'close'; id: number }
  /** tests only: die as a native crash would */
  | { t: 'crash' }

export type FromHost =
  | { t: 'ready'; libraryFile: string; dataDir: string; ownerId: string }
  | { t: 'fatal'; error: ApiError }
  | { t: 'reply'; id: number; ok: true; value: unknown }
  | { t: 'reply'; id: number; ok: false; error: ApiError }
  | { t: 'event'; name: EventName; payload: unknown }
