/**
 * The inference host: a worker_threads Worker that owns onnxruntime-node (host-worker.ts).
 *
 * - Sessions stay warm in the worker, keyed by SessionSpec (model path + EP + thread counts).
 * - `unload()` (or `idleMs` without calls) terminates the worker, which frees every session.
 * - If the worker dies (uncaught error, process.exit, OOM), every pending call is rejected with a
 *   HostCrashError and the next call starts a fresh worker, which reloads sessions lazily: run
 *   requests carry their spec. The parent process is never taken down.
 * - Input tensors are transferred (transferList), so a batch is not copied across threads.
 * - Tagger batches go as file paths (`tagFiles`): the worker decodes, builds the float tensor and
 *   runs the model, so the main thread's heap never holds pixels (worker-tagging.ts).
 *
 * Worker entry: the bundle's `out/main/inference-worker.js` (an entry of electron.vite.config.ts),
 * or from source (tsx, vitest) `host-worker.ts` through ../../worker-boot.mjs (worker-entry.ts).
 */
import { Worker } from 'node:worker_threads'
// The worker decodes with sharp. On glibc Linux the main thread must load sharp before any worker
// does, or libvips is unloaded when a worker exits while others still use it (sharp docs).
import 'sharp'
import { GlossaError } from '../../../shared/errors'
import { HostCrashError, ImageError, ModelError } from './errors'
import { resolveWorkerEntry } from '../../worker-entry'
import type {
  CaptionRequest,
  CaptionResult,
  GenerativeInfo,
  GenerativeSpec,
  HostRequest,
  HostResponse,
  OcrRequest,
  OcrResult,
  RunResult,
  SessionInfo,
  SessionSpec,
  TagFilesRequest,
  TagFilesResult
} from './protocol'

export interface HostOptions {
  /** terminate the worker after this long without calls (default 5 minutes; 0 = never) */
  idleMs?: number
  /** the worker script; see the module comment */
  workerUrl?: URL
}

interface Pending {
  resolve: (v: unknown) => void
  reject: (e: Error) => void
  op: HostRequest['op']
  file?: string
}
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

const DEFAULT_IDLE_MS = 5 * 60_000

function resolveWorker(explicit?: URL): { url: URL; workerData?: unknown } {
  if (explicit) return { url: explicit }
  const entry = resolveWorkerEntry('inference-worker', import.meta.url, './host-worker.ts')
  return entry.glossaEntry
    ? { url: entry.url, workerData: { glossaEntry: entry.glossaEntry } }
    : { url: entry.url }
}

/** how long unload() waits for the worker's session creations before stopping it anyway */
const SETTLE_MS = 10_000

export class InferenceHost {
  private worker: Worker | null = null
  private readonly pending = new Map<number, Pending>()
  private nextId = 1
  private idleTimer: NodeJS.Timeout | null = null
  private crashReason: string | null = null
  private closed = false
  private readonly idleMs: number
  private readonly workerUrl: URL | undefined
  /** how many workers were started (a restart after a crash or unload adds one) */
  starts = 0

  constructor(opts: HostOptions = {}) {
    this.idleMs = opts.idleMs ?? DEFAULT_IDLE_MS
    this.workerUrl = opts.workerUrl
  }

  /** true while a worker thread is alive */
  get running(): boolean {
    return this.worker !== null
  }

  /** Loads (or reuses) a session; a model onnxruntime cannot load gives a ModelError. */
  async load(spec: SessionSpec): Promise<SessionInfo> {
    return (await this.call({ op: 'load', spec })) as SessionInfo
  }

  /** Runs one float32 input; `data` is transferred to the worker and unusable afterwards. */
  async run(
    spec: SessionSpec,
    io: { inputName: string; outputName: string },
    data: Float32Array,
    dims: number[]
  ): Promise<RunResult> {
    const req = { op: 'run' as const, spec, ...io, data, dims }
    return (await this.call(req, [data.buffer as ArrayBuffer])) as RunResult
  }

  /**
   * Decodes, preprocesses and runs one tagger batch in the worker (worker-tagging.ts). Files that
   * cannot be read fail alone; a model failure rejects.
   */
  async tagFiles(req: TagFilesRequest): Promise<TagFilesResult> {
    return (await this.call({ op: 'tagFiles', ...req })) as TagFilesResult
  }

  /**
   * Captions one image file with a transformers.js model (loaded once, kept warm): the worker
   * decodes the file, runs the processor, generates and detokenises. A folder transformers.js
   * cannot use gives a ModelError naming the file; an unreadable image an ImageError.
   */
  async caption(model: GenerativeSpec, req: CaptionRequest): Promise<CaptionResult> {
    return (await this.call({ op: 'caption' as const, model, ...req })) as CaptionResult
  }

  /**
   * Reads the text in one image file with the built-in OCR model (PP-OCRv4 det + rec, sessions
   * kept warm in the worker): the worker decodes, detects, recognises and decodes the lines.
   * A model file that cannot be used gives a ModelError naming it; an unreadable image an
   * ImageError.
   */
  async ocr(req: OcrRequest): Promise<OcrResult> {
    return (await this.call({ op: 'ocr' as const, ...req })) as OcrResult
  }

  /** Loads (and, for chat VLMs, probes) a generative model; a broken folder gives a ModelError. */
  async loadGenerative(model: GenerativeSpec): Promise<GenerativeInfo> {
    return (await this.call({ op: 'loadGenerative', model })) as GenerativeInfo
  }

  /** Releases the sessions of one model (a tagger's model path or a generative folder). */
  async release(modelPath?: string): Promise<number> {
    if (!this.worker) return 0
    return (await this.call({ op: 'release', modelPath })) as number
  }

  /** Session keys loaded in the worker (for diagnostics and tests). */
  async loadedSessions(): Promise<string[]> {
    if (!this.worker) return []
    return (await this.call({ op: 'loaded' })) as string[]
  }

  /** Test-only: makes the worker die, as a native crash would. */
  crashForTest(how: 'exit' | 'throw'): Promise<unknown> {
    return this.call({ op: 'crash', how })
  }

  /**
   * Terminates the worker, freeing all sessions. Pending calls are rejected. The worker is first
   * given up to SETTLE_MS to let onnxruntime finish the sessions it is creating: stopping it in the
   * middle aborts the process (see `settle` in host-worker.ts).
   */
  async unload(): Promise<void> {
    const w = this.worker
    if (!w) return
    if (!this.crashReason) {
      let timer: NodeJS.Timeout | undefined
      await Promise.race([
        this.call({ op: 'settle' }).catch(() => undefined),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, SETTLE_MS)))
      ])
      clearTimeout(timer)
    }
    if (this.worker !== w) return
    this.detach(w, 'the inference host was unloaded')
    await w.terminate()
  }

  async close(): Promise<void> {
    this.closed = true
    await this.unload()
  }

  private call(
    req: DistributiveOmit<HostRequest, 'id'>,
    transfer: ArrayBuffer[] = []
  ): Promise<unknown> {
    if (this.closed && req.op !== 'settle')
      return Promise.reject(new GlossaError('CANCELLED', 'the inference host is closed'))
    const w = this.ensureWorker()
    const id = this.nextId++
    const full = { ...req, id } as HostRequest
    return new Promise((resolve, reject) => {
      const file =
        'spec' in req
          ? req.spec.modelPath
          : 'model' in req
            ? 'dir' in req.model
              ? req.model.dir
              : req.model.modelDir
            : undefined
      this.pending.set(id, { resolve, reject, op: req.op, file })
      this.activity()
      try {
        w.postMessage(full, transfer)
      } catch (err) {
        this.pending.delete(id)
        this.activity()
        reject(err instanceof Error ? err : new Error(String(err)))
      }
    })
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker
    const { url, workerData } = resolveWorker(this.workerUrl)
    const w = new Worker(url, { workerData, name: 'glossa-inference' })
    this.starts++
    this.crashReason = null
    w.on('message', (res: HostResponse) => this.onMessage(res))
    w.on('error', (err) => {
      this.crashReason = err instanceof Error ? err.message : String(err)
    })
    w.on('exit', (code) => {
      if (this.worker === w) {
        this.detach(w, this.crashReason ?? `the worker exited with code ${code}`, true)
      }
    })
    this.worker = w
    return w
  }

  /** Forgets a worker and rejects everything pending on it. */
  private detach(w: Worker, reason: string, crashed = false): void {
    if (this.worker !== w) return
    this.worker = null
    this.clearIdle()
    const calls = [...this.pending.values()]
    this.pending.clear()
    for (const p of calls) {
      p.reject(crashed ? new HostCrashError(reason) : new GlossaError('CANCELLED', reason))
    }
  }

  private onMessage(res: HostResponse): void {
    const p = this.pending.get(res.id)
    if (!p) return
    this.pending.delete(res.id)
    this.activity()
    if (res.ok) {
      p.resolve(res.result)
      return
    }
    const { message, stage, file } = res.error
    if (stage === 'load') {
      const at = file ?? p.file ?? 'model'
      p.reject(
        message.startsWith(at)
          ? new ModelError(at, message.slice(at.length).trimStart())
          : new ModelError(at, `could not be loaded by onnxruntime: ${message}`)
      )
    } else if (stage === 'image') {
      p.reject(new ImageError(file ?? 'image', message))
    } else {
      const op = p.op === 'tagFiles' ? 'run' : p.op
      p.reject(new GlossaError('INTERNAL', `inference ${op} failed: ${message}`))
    }
  }

  /** Refs the worker while calls are pending, unrefs it and arms the idle timer otherwise. */
  private activity(): void {
    const w = this.worker
    if (!w) return
    this.clearIdle()
    if (this.pending.size > 0) {
      w.ref()
      return
    }
    w.unref()
    if (this.idleMs > 0) {
      this.idleTimer = setTimeout(() => void this.unload(), this.idleMs)
      this.idleTimer.unref()
    }
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer)
    this.idleTimer = null
  }
}
