/**
 * The object the preload exposes as `window.glossa`, built over two narrow functions (invoke a
 * channel, receive events) so it is testable without Electron. Method and event names are
 * checked against the contract before anything is sent.
 */
import { EVENT_NAMES, METHOD_NAMES, type EventName, type Events } from '../src-main/shared/api'
import { IPC, type GlossaBridge, type IpcEvent, type IpcReply } from '../src-main/shared/client'

/**
 * What a failed call rejects with. contextBridge strips every property of an Error except its
 * message (electron/electron#25596), so the rejection is a plain object, which crosses intact;
 * the renderer's client (src-renderer/src/api/client.ts) turns it into its own Error class.
 */
export interface BridgeError {
  name: 'GlossaError'
  code: string
  message: string
  details?: unknown
}

export function bridgeError(code: string, message: string, details?: unknown): BridgeError {
  return details === undefined
    ? { name: 'GlossaError', code, message }
    : { name: 'GlossaError', code, message, details }
}

export interface BridgeTransport {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>
  /** registers the single listener for IPC.event messages */
  onEvent(cb: (msg: IpcEvent) => void): void
}

const METHODS: ReadonlySet<string> = new Set(METHOD_NAMES)
const EVENTS: ReadonlySet<string> = new Set(EVENT_NAMES)

function unwrap<T>(reply: unknown): T {
  const r = reply as IpcReply<T> | undefined
  if (r && r.ok === true) return r.result
  const e =
    r && r.ok === false && r.error
      ? r.error
      : { code: 'INTERNAL', message: 'no valid reply from the main process' }
  throw bridgeError(e.code, e.message, e.details)
}

export function createBridge(t: BridgeTransport): GlossaBridge {
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  t.onEvent((msg) => {
    const set = msg && typeof msg.name === 'string' ? listeners.get(msg.name) : undefined
    if (!set) return
    for (const cb of [...set]) {
      try {
        cb(msg.payload)
      } catch (err) {
        console.error(`glossa: a ${msg.name} listener threw`, err)
      }
    }
  })
  return {
    async call(method, args) {
      if (typeof method !== 'string' || !METHODS.has(method)) {
        throw bridgeError('UNKNOWN_METHOD', `unknown method: ${String(method)}`)
      }
      return unwrap(await t.invoke(IPC.call, method, args ?? {}))
    },
    on<E extends EventName>(event: E, cb: (payload: Events[E]) => void) {
      if (typeof event !== 'string' || !EVENTS.has(event)) {
        throw bridgeError('INVALID_ARGS', `unknown event: ${String(event)}`)
      }
      if (typeof cb !== 'function') throw bridgeError('INVALID_ARGS', 'a callback is required')
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      const fn = cb as (payload: unknown) => void
      set.add(fn)
      return () => {
        set.delete(fn)
      }
    },
    async openFolder() {
      return unwrap<string | null>(await t.invoke(IPC.openFolder))
    }
  }
}
