import type { WritableDB } from './db/types'
import type { EventName, Events, MethodName, ParsedArgs, Result } from '../shared/api'
import type { JobRunner } from './jobs/runner'
import type { InferenceHost } from './captioning/inference/host'
import type { EndpointKeyStore } from './captioning/endpoint/keys'

/** Everything a handler or job may use. Plain Node; never electron. */
export interface CoreContext {
  db: WritableDB
  dataDir: string
  libraryFile: string
  /** better-sqlite3 binding for the running ABI, for connections opened by worker threads */
  nativeBinding?: string
  /** content-addressed caches (thumbnails by sha256) */
  cacheDir: string
  backupDir: string
  /** who edits are recorded as: the reviewer name in settings, else the OS user */
  actor(): string
  emit<E extends EventName>(event: E, payload: Events[E]): void
  jobs: JobRunner
  /** set when close() has begun: long work should stop */
  closing: AbortSignal
  /** the shared inference host (captioning), started on first use; createCore provides it */
  inference?: () => InferenceHost
  /** desktop app: endpoint API keys in the system keychain (absent in browser mode and the CLI,
   *  where keys come from environment variables only) */
  keyStore?: EndpointKeyStore
}

export type Handler<M extends MethodName> = (
  ctx: CoreContext,
  args: ParsedArgs<M>
) => Promise<Result<M>> | Result<M>

export type HandlerMap = { [M in MethodName]: Handler<M> }
