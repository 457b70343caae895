/**
 * The inference worker: a worker_threads thread that owns onnxruntime-node. It keeps sessions
 * warm (one per SessionSpec), picks the execution provider with a cpu fallback, and runs tensors
 * it receives (transferred, not copied). All semantics (tags, thresholds) stay on the main side.
 */
import { readlinkSync } from 'node:fs'
import { stat } from 'node:fs/promises'
import { getPriority, setPriority } from 'node:os'
import { parentPort } from 'node:worker_threads'
import * as ort from 'onnxruntime-node'
import type { TensorMeta } from './tagger'
import {
  specKey,
  type ExecutionProvider,
  type HostRequest,
  type HostResponse,
  type RunResult,
  type SessionInfo,
  type SessionSpec,
  INFERENCE_NICE
} from './protocol'
import { tagFiles } from './worker-tagging'
import { ocrFile, releaseOcr } from './worker-ocr'

interface Loaded {
  session: ort.InferenceSession
  info: SessionInfo
}

/**
 * This worker (and the onnxruntime thread pools it creates, which inherit it) runs INFERENCE_NICE
 * steps below the core's threads. Linux only: there a thread's nice value is its own
 * (`/proc/thread-self` names this thread); elsewhere setPriority would lower the whole process.
 * libuv's thread pool (file reads, image decoding: every thread's) is created once per process by
 * its first use; one use comes first here, so that a pool this worker would start is not lowered.
 */
async function lowerPriority(): Promise<void> {
  if (process.platform !== 'linux') return
  await stat('/proc/thread-self').catch(() => undefined)
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop())
    if (!Number.isInteger(tid) || tid <= 0) return
    setPriority(tid, Math.min(19, getPriority(tid) + INFERENCE_NICE))
  } catch {
    // no /proc, or not allowed: inference runs at the core's priority
  }
}
/** requests wait for it: sessions created afterwards inherit the priority */
const lowered = lowerPriority()

/**
 * Session creations in flight, whoever started them (this file, the OCR engine or transformers.js,
 * which creates a model's sessions side by side). When one of a model's sessions fails, the load
 * fails at once while the others are still being created on onnxruntime's threads; stopping the
 * worker then makes their completion throw into a torn-down environment, which aborts the whole
 * process ("terminate called after throwing an instance of 'Napi::Error'"). The host asks
 * `settle` before it stops the worker, and that waits for these.
 */
const creating = new Set<Promise<unknown>>()
{
  const create = ort.InferenceSession.create.bind(ort.InferenceSession) as (
    ...args: unknown[]
  ) => Promise<ort.InferenceSession>
  ;(ort.InferenceSession as { create: unknown }).create = (...args: unknown[]) => {
    const p = create(...args)
    creating.add(p)
    const done = () => creating.delete(p)
    p.then(done, done)
    return p
  }
}

async function settle(): Promise<null> {
  while (creating.size) await Promise.allSettled([...creating])
  return null
}

const sessions = new Map<string, Promise<Loaded>>()
let generativeLoaded = false

function meta(list: readonly ort.InferenceSession.ValueMetadata[]): TensorMeta[] {
  return list.map((m) =>
    m.isTensor ? { name: m.name, shape: [...m.shape], type: m.type } : { name: m.name, shape: [] }
  )
}

function sessionOptions(
  spec: SessionSpec,
  ep: ExecutionProvider
): ort.InferenceSession.SessionOptions {
  const o: ort.InferenceSession.SessionOptions = {
    executionProviders: [ep],
    graphOptimizationLevel: 'all'
  }
  if (spec.intraOpThreads && spec.intraOpThreads > 0) o.intraOpNumThreads = spec.intraOpThreads
  if (spec.interOpThreads && spec.interOpThreads > 0) {
    o.interOpNumThreads = spec.interOpThreads
    o.executionMode = 'parallel'
  }
  return o
}

async function create(spec: SessionSpec): Promise<Loaded> {
  const requested = spec.ep ?? 'cpu'
  let fallbackReason: string | undefined
  if (requested !== 'cpu') {
    const backends = ort.listSupportedBackends().map((b) => b.name as string)
    if (!backends.includes(requested)) {
      fallbackReason =
        `${requested} is not available in this onnxruntime-node build on ${process.platform}/` +
        `${process.arch} (available: ${backends.join(', ')})`
    } else {
      try {
        const session = await ort.InferenceSession.create(
          spec.modelPath,
          sessionOptions(spec, requested)
        )
        return { session, info: info(session, requested, requested) }
      } catch (err) {
        fallbackReason = `${requested} failed to start: ${err instanceof Error ? err.message : String(err)}`
      }
    }
  }
  const session = await ort.InferenceSession.create(spec.modelPath, sessionOptions(spec, 'cpu'))
  return { session, info: info(session, requested, 'cpu', fallbackReason) }
}

function info(
  session: ort.InferenceSession,
  requestedEp: ExecutionProvider,
  ep: ExecutionProvider,
  fallbackReason?: string
): SessionInfo {
  const i: SessionInfo = {
    inputs: meta(session.inputMetadata),
    outputs: meta(session.outputMetadata),
    requestedEp,
    ep
  }
  if (fallbackReason) i.fallbackReason = fallbackReason
  return i
}

function load(spec: SessionSpec): Promise<Loaded> {
  const key = specKey(spec)
  let p = sessions.get(key)
  if (!p) {
    p = create(spec)
    sessions.set(key, p)
    // A failed load is not cached: the file may be fixed and retried.
    p.catch(() => sessions.delete(key))
  }
  return p
}

async function release(modelPath?: string): Promise<number> {
  let n = 0
  for (const [key, p] of [...sessions]) {
    if (modelPath !== undefined && (JSON.parse(key) as unknown[])[0] !== modelPath) continue
    sessions.delete(key)
    try {
      await (await p).session.release()
      n++
    } catch {
      // a session that failed to load has nothing to release
    }
  }
  return n
}

class LoadError extends Error {}

async function run(req: Extract<HostRequest, { op: 'run' }>): Promise<RunResult> {
  const { session } = await load(req.spec).catch((err: unknown) => {
    throw new LoadError(err instanceof Error ? err.message : String(err))
  })
  const input = new ort.Tensor('float32', req.data, req.dims)
  const out = await session.run({ [req.inputName]: input })
  const t = out[req.outputName]
  if (!t) throw new Error(`the model has no output "${req.outputName}"`)
  if (t.type !== 'float32') throw new Error(`output "${req.outputName}" is ${t.type}, not float32`)
  // Copy out of onnxruntime's buffer so the result can be transferred to the main thread.
  const data = new Float32Array(t.data as Float32Array)
  input.dispose()
  t.dispose()
  return { data, dims: t.dims.map(Number) }
}

async function handle(req: HostRequest): Promise<{ result: unknown; transfer?: ArrayBuffer[] }> {
  switch (req.op) {
    case 'load':
      return { result: (await load(req.spec)).info }
    case 'run': {
      const r = await run(req)
      return { result: r, transfer: [r.data.buffer as ArrayBuffer] }
    }
    case 'tagFiles': {
      const { id: _id, op: _op, ...tagReq } = req
      const r = await tagFiles(tagReq, (data, dims) => run({ ...req, op: 'run', data, dims }))
      return { result: r, transfer: r.scores ? [r.scores.data.buffer as ArrayBuffer] : [] }
    }
    case 'caption': {
      generativeLoaded = true
      const { caption } = await import('./generative')
      const { id: _id, op: _op, model, ...captionReq } = req
      return { result: await caption(model, captionReq) }
    }
    case 'loadGenerative': {
      generativeLoaded = true
      const { loadGenerative } = await import('./generative')
      return { result: await loadGenerative(req.model) }
    }
    case 'ocr': {
      const { id: _id, op: _op, ...ocrReq } = req
      return { result: await ocrFile(ocrReq, load) }
    }
    case 'release': {
      releaseOcr(req.modelPath)
      let n = await release(req.modelPath)
      if (generativeLoaded)
        n += await (await import('./generative')).releaseGenerative(req.modelPath)
      return { result: n }
    }
    case 'loaded':
      return { result: [...sessions.keys()] }
    case 'settle':
      return { result: await settle() }
    case 'crash':
      if (req.how === 'exit') process.exit(70)
      setTimeout(() => {
        throw new Error('inference host crash requested by a test')
      })
      return { result: null }
  }
}

const port = parentPort
if (!port) throw new Error('host-worker.ts must run in a worker thread')
port.on('message', (req: HostRequest) => {
  lowered
    .then(() => handle(req))
    .then(
      ({ result, transfer }) => {
        const res: HostResponse = { id: req.id, ok: true, result }
        port.postMessage(res, transfer ?? [])
      },
      (err: unknown) => {
        const name = (err as Error)?.name
        const loadFailed =
          req.op === 'load' || err instanceof LoadError || name === 'GenerativeLoadError'
        const stage = loadFailed
          ? 'load'
          : name === 'GenerativeImageError'
            ? 'image'
            : req.op === 'run' || req.op === 'tagFiles' || req.op === 'caption' || req.op === 'ocr'
              ? 'run'
              : 'other'
        const message = err instanceof Error ? err.message : String(err)
        const file = (err as { file?: unknown })?.file
        const res: HostResponse = {
          id: req.id,
          ok: false,
          error: { message, stage, ...(typeof file === 'string' ? { file } : {}) }
        }
        port.postMessage(res)
      }
    )
})
