/**
 * The renderer's one way to the core. In Electron the preload exposes `window.glossa`; in browser
 * mode (`glossa serve`) the same calls go over `POST api/<method>` and events over one shared
 * `EventSource('api/events')`. Both reject with `CallError` carrying the contract's error code.
 */
import type {
  ApiError,
  Args,
  ErrorCode,
  EventName,
  Events,
  GlossaClient,
  MethodName,
  Result
} from '@shared/api'

import type { GlossaBridge } from '@shared/client'

export class CallError extends Error {
  readonly code: ErrorCode | string
  readonly details?: unknown
  readonly method: string
  constructor(method: string, err: Partial<ApiError> & { message?: string }) {
    super(err.message ?? 'Unknown error')
    this.name = 'CallError'
    this.method = method
    this.code = err.code ?? 'INTERNAL'
    this.details = err.details
  }
}

function toCallError(method: string, e: unknown): CallError {
  if (e instanceof CallError) return e
  if (typeof e === 'object' && e !== null) {
    const o = e as { code?: unknown; message?: unknown; details?: unknown }
    return new CallError(method, {
      code: typeof o.code === 'string' ? (o.code as ErrorCode) : 'INTERNAL',
      message: typeof o.message === 'string' ? o.message : String(e),
      details: o.details
    })
  }
  return new CallError(method, { code: 'INTERNAL', message: String(e) })
}

export interface Client extends GlossaClient {
  /** 'electron' has a native folder dialog; 'browser' imports from a typed server path */
  readonly mode: 'electron' | 'browser'
  openFolder(): Promise<string | null>
}

function preloadClient(bridge: GlossaBridge): Client {
  return {
    mode: 'electron',
    async call<M extends MethodName>(method: M, args: Args<M>): Promise<Result<M>> {
      try {
        return await bridge.call(method, args)
      } catch (e) {
        throw toCallError(method, e)
      }
    },
    on<E extends EventName>(event: E, cb: (payload: Events[E]) => void): () => void {
      return bridge.on(event, cb)
    },
    openFolder: () => bridge.openFolder()
  }
}

type Listener = (payload: unknown) => void

function httpClient(): Client {
  let source: EventSource | null = null
  const listeners = new Map<string, Set<Listener>>()
  const attached = new Set<string>()

  function attach(event: string): void {
    if (!source || attached.has(event)) return
    attached.add(event)
    source.addEventListener(event, (ev) => {
      let payload: unknown
      try {
        payload = JSON.parse((ev as MessageEvent<string>).data)
      } catch {
        return
      }
      for (const cb of listeners.get(event) ?? []) cb(payload)
    })
  }

  function ensureSource(): void {
    if (source) return
    source = new EventSource('api/events')
    for (const event of listeners.keys()) attach(event)
  }

  return {
    mode: 'browser',
    async call<M extends MethodName>(method: M, args: Args<M>): Promise<Result<M>> {
      let res: Response
      try {
        res = await fetch(`api/${method}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          credentials: 'same-origin',
          body: JSON.stringify(args ?? {})
        })
      } catch (e) {
        throw new CallError(method, {
          code: 'IO_ERROR',
          message: `Cannot reach the Glossa server: ${e instanceof Error ? e.message : String(e)}`
        })
      }
      const text = await res.text()
      let body: unknown = null
      try {
        body = text ? JSON.parse(text) : null
      } catch {
        body = null
      }
      if (!res.ok) {
        const err = (body as { error?: Partial<ApiError> } | null)?.error
        throw new CallError(method, {
          code: err?.code ?? (res.status === 403 ? 'FORBIDDEN' : 'INTERNAL'),
          message: err?.message ?? `HTTP ${res.status} ${res.statusText}`,
          details: err?.details
        })
      }
      return body as Result<M>
    },
    on<E extends EventName>(event: E, cb: (payload: Events[E]) => void): () => void {
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      const l = cb as Listener
      set.add(l)
      ensureSource()
      attach(event)
      return () => {
        set.delete(l)
      }
    },
    openFolder: () => Promise.resolve(null)
  }
}

export const client: Client =
  typeof window !== 'undefined' && window.glossa ? preloadClient(window.glossa) : httpClient()

export const call = client.call.bind(client) as Client['call']
