/**
 * The desktop app's key cipher (Electron's safeStorage) lives on the main thread, but the endpoint
 * key store (captioning/endpoint/keys.ts) runs in the core host thread and calls its cipher
 * synchronously. This bridge gives the host a KeyCipher whose calls are answered by the main
 * thread: the host posts the call on a MessagePort and blocks on a SharedArrayBuffer
 * (Atomics.wait) until the main thread has written the answer there. Keys are a few hundred
 * bytes; calls are rare (saving a key, starting a job), so blocking the host for them is fine.
 * The main thread never blocks.
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads'
import type { KeyCipher } from '../captioning/endpoint/keys'

/** room for one answer (an encrypted or decrypted key, JSON-encoded) */
const CAPACITY = 64 * 1024
const HEADER = 8
/** a main thread that does not answer within this long is a failed call, not a hang */
const TIMEOUT_MS = 15_000

type Op = 'available' | 'backend' | 'encrypt' | 'decrypt'
interface Request {
  op: Op
  arg?: string
}
type Answer = { ok: true; value: string | boolean | null } | { ok: false; error: string }

export interface CipherBridge {
  /** goes to the host in its workerData (transfer `port`) */
  port: MessagePort
  shared: SharedArrayBuffer
  hasBackend: boolean
}

/** Main thread: answers the host's cipher calls with `cipher`. */
export function serveCipher(cipher: KeyCipher): { bridge: CipherBridge; close(): void } {
  const { port1, port2 } = new MessageChannel()
  const shared = new SharedArrayBuffer(HEADER + CAPACITY)
  const state = new Int32Array(shared, 0, 2)
  const data = new Uint8Array(shared, HEADER)
  port1.on('message', (req: Request) => {
    let answer: Answer
    try {
      const value =
        req.op === 'available'
          ? cipher.isEncryptionAvailable()
          : req.op === 'backend'
            ? (cipher.getSelectedStorageBackend?.() ?? null)
            : req.op === 'encrypt'
              ? cipher.encryptString(req.arg ?? '').toString('base64')
              : cipher.decryptString(Buffer.from(req.arg ?? '', 'base64'))
      answer = { ok: true, value }
    } catch (err) {
      answer = { ok: false, error: err instanceof Error ? err.message : String(err) }
    }
    let bytes = Buffer.from(JSON.stringify(answer), 'utf8')
    if (bytes.length > CAPACITY)
      bytes = Buffer.from(JSON.stringify({ ok: false, error: 'answer too large' }), 'utf8')
    data.set(bytes)
    Atomics.store(state, 1, bytes.length)
    Atomics.store(state, 0, 1)
    Atomics.notify(state, 0)
  })
  port1.unref()
  return {
    bridge: {
      port: port2,
      shared,
      hasBackend: typeof cipher.getSelectedStorageBackend === 'function'
    },
    close: () => port1.close()
  }
}

/** Core host thread: a KeyCipher whose calls the main thread answers. */
export function remoteCipher(bridge: CipherBridge): KeyCipher {
  const state = new Int32Array(bridge.shared, 0, 2)
  const data = new Uint8Array(bridge.shared, HEADER)
  const call = (op: Op, arg?: string): string | boolean | null => {
    Atomics.store(state, 0, 0)
    bridge.port.postMessage({ op, arg } satisfies Request)
    if (Atomics.wait(state, 0, 0, TIMEOUT_MS) === 'timed-out')
      throw new Error('the system keychain did not answer')
    const len = Atomics.load(state, 1)
    const answer = JSON.parse(Buffer.from(data.subarray(0, len)).toString('utf8')) as Answer
    if (!answer.ok) throw new Error(answer.error)
    return answer.value
  }
  return {
    isEncryptionAvailable: () => call('available') === true,
    encryptString: (plain) => Buffer.from(String(call('encrypt', plain)), 'base64'),
    decryptString: (encrypted) => String(call('decrypt', encrypted.toString('base64'))),
    ...(bridge.hasBackend ? { getSelectedStorageBackend: () => String(call('backend')) } : {})
  }
}
