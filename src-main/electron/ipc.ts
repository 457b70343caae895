/** The IPC bridge as a pure function: sender check → core.call → an `{ok, result|error}` envelope. */
import { METHOD_NAMES, type MethodName } from '../shared/api'
import type { IpcReply } from '../shared/client'
import type { Core } from '../core'
import { toApiError } from '../shared/errors'
import { isAllowedSender } from './security'

const METHODS: ReadonlySet<string> = new Set(METHOD_NAMES)

export async function handleIpcCall(
  core: Pick<Core, 'call'>,
  senderUrl: string | null | undefined,
  method: unknown,
  args: unknown,
  devUrl?: string | null
): Promise<IpcReply> {
  if (!isAllowedSender(senderUrl, devUrl)) {
    return {
      ok: false,
      error: { code: 'FORBIDDEN', message: 'this frame may not call the Glossa API' }
    }
  }
  if (typeof method !== 'string' || !METHODS.has(method)) {
    return {
      ok: false,
      error: { code: 'UNKNOWN_METHOD', message: `unknown method: ${String(method).slice(0, 100)}` }
    }
  }
  try {
    const result = await core.call(method as MethodName, args ?? {})
    return { ok: true, result: result ?? null }
  } catch (err) {
    if (toApiError(err).code === 'INTERNAL') {
      console.error(`glossa: ${method} failed:`, err)
    }
    // Only code, message and JSON-safe details cross; stacks stay in main.
    return { ok: false, error: toApiError(err) }
  }
}
