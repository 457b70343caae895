/**
 * The preload's `window.glossa` object wired to the real IPC handler and a real core (the one
 * thing replaced is Electron's transport, by a direct function call).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBridge, type BridgeTransport } from '../../src-preload/bridge'
import { handleIpcCall } from '../../src-main/electron/ipc'
import { APP_URL } from '../../src-main/electron/security'
import { IPC, type IpcEvent } from '../../src-main/shared/client'
import type { GlossaBridge } from '../../src-main/shared/client'
import { tempCore, type TempCore } from '../fixtures/studio'

let t: TempCore
let bridge: GlossaBridge
let sent: unknown[][]
let deliver: (msg: IpcEvent) => void = () => {}
let senderUrl = APP_URL

beforeAll(async () => {
  t = await tempCore('glossa-preload-')
  sent = []
  const transport: BridgeTransport = {
    async invoke(channel, ...args) {
      sent.push([channel, ...args])
      if (channel === IPC.call) return handleIpcCall(t.core, senderUrl, args[0], args[1])
      if (channel === IPC.openFolder) return { ok: true, result: null }
      throw new Error(`unexpected channel ${channel}`)
    },
    onEvent(cb) {
      deliver = cb
    }
  }
  bridge = createBridge(transport)
})
afterAll(async () => {
  await t?.cleanup()
})

describe('window.glossa', () => {
  it('calls the core and returns plain results', async () => {
    await bridge.call('settings.set', { key: 'theme', value: 'dark' })
    expect(await bridge.call('settings.get', { key: 'theme' })).toEqual({
      key: 'theme',
      value: 'dark'
    })
  })

  it('refuses unknown methods before anything is sent', async () => {
    const before = sent.length
    await expect(
      bridge.call('shell.openExternal' as 'settings.get', { key: 'x' })
    ).rejects.toMatchObject({
      code: 'UNKNOWN_METHOD'
    })
    expect(sent.length).toBe(before)
  })

  it('rejects with code, message and details (a plain object that survives contextBridge)', async () => {
    const err = await bridge.call('settings.get', { key: '' }).then(
      () => null,
      (e: unknown) => e
    )
    expect(err).toMatchObject({ name: 'GlossaError', code: 'INVALID_ARGS' })
    expect(Object.getPrototypeOf(err)).toBe(Object.prototype)
    expect(Array.isArray((err as { details: unknown }).details)).toBe(true)
    expect(JSON.stringify(err)).not.toMatch(/\n\s+at /)
  })

  it('surfaces the sender check of main', async () => {
    senderUrl = 'https://evil.example/'
    try {
      await expect(bridge.call('settings.get', { key: 'theme' })).rejects.toMatchObject({
        code: 'FORBIDDEN'
      })
    } finally {
      senderUrl = APP_URL
    }
  })

  it('delivers subscribed events until unsubscribed, and only known ones', () => {
    const seen: unknown[] = []
    const off = bridge.on('library.changed', (p) => seen.push(p))
    const payload = { datasetId: 1, imageIds: [3], reason: 'edit' }
    deliver({ name: 'library.changed', payload })
    deliver({ name: 'job.progress', payload: { jobId: 1 } })
    off()
    deliver({ name: 'library.changed', payload })
    expect(seen).toEqual([payload])
    expect(() => bridge.on('ipc.raw' as 'library.changed', () => {})).toThrow()
  })

  it('opens the folder dialog through its own channel', async () => {
    expect(await bridge.openFolder()).toBeNull()
    expect(sent.at(-1)).toEqual([IPC.openFolder])
  })
})
