/**
 * Endpoint API keys kept by the desktop app, outside the library: one small JSON file in the
 * app's user-data folder (never the library, which users copy and share) holding each key
 * encrypted by the system keychain — Electron's `safeStorage` (DPAPI on Windows, Keychain on
 * macOS, libsecret/kwallet on Linux). The cipher is injected, so this module has no Electron
 * import and is tested with any object of the same shape; src-main/index.ts passes safeStorage.
 *
 *  - Keys are written only when the cipher is available (`isEncryptionAvailable()`); on Linux
 *    without a keyring safeStorage would fall back to a hard-coded password ('basic_text'), which
 *    is refused here too (`selectedStorageBackend`), so a key is never stored in the clear.
 *  - The file is replaced atomically (write to a temporary file, rename) with mode 0600.
 *  - `get` returns an ApiKey (redacts itself when printed); the plain key exists only inside it.
 *  - Browser mode and the CLI have no store: their endpoints take keys from environment
 *    variables only (keyEnv), and the API refuses to receive a key.
 */
import fs from 'node:fs'
import path from 'node:path'
import { ApiKey, EndpointError, resolveApiKey } from './errors'

/** The part of Electron's safeStorage this module uses. */
export interface KeyCipher {
  isEncryptionAvailable(): boolean
  encryptString(plain: string): Buffer
  decryptString(encrypted: Buffer): string
  /** Linux only: 'basic_text' means no keyring (keys would be protected by a fixed password) */
  getSelectedStorageBackend?(): string
}

interface KeyFile {
  version: 1
  /** endpoint name → base64 of the encrypted key */
  keys: Record<string, string>
}

export class KeyStoreError extends Error {
  override name = 'KeyStoreError'
}

export class EndpointKeyStore {
  constructor(
    readonly file: string,
    private readonly cipher: KeyCipher
  ) {}

  /** Whether keys can be stored safely here. */
  available(): boolean {
    try {
      if (!this.cipher.isEncryptionAvailable()) return false
      return this.cipher.getSelectedStorageBackend?.() !== 'basic_text'
    } catch {
      return false
    }
  }

  private read(): KeyFile {
    let text: string
    try {
      text = fs.readFileSync(this.file, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, keys: {} }
      throw new KeyStoreError(`${this.file}: cannot be read (${(err as Error).message})`)
    }
    try {
      const v = JSON.parse(text) as Partial<KeyFile>
      if (v.version !== 1 || typeof v.keys !== 'object' || v.keys === null)
        throw new Error('bad shape')
      return { version: 1, keys: { ...v.keys } }
    } catch {
      throw new KeyStoreError(`${this.file}: is not a Glossa key file`)
    }
  }

  private write(data: KeyFile): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true })
    const tmp = `${this.file}.${process.pid}.tmp`
    fs.writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 })
    fs.renameSync(tmp, this.file)
  }

  has(name: string): boolean {
    return Object.hasOwn(this.read().keys, name)
  }

  /** The stored key, or null; a key the keychain cannot decrypt (another user, a reset keychain)
   *  is a KeyStoreError saying so. */
  get(name: string): ApiKey | null {
    const enc = this.read().keys[name]
    if (enc === undefined) return null
    if (!this.available())
      throw new KeyStoreError(
        `the system keychain is not available, so the stored API key of "${name}" cannot be read`
      )
    let plain: string
    try {
      plain = this.cipher.decryptString(Buffer.from(enc, 'base64'))
    } catch {
      throw new KeyStoreError(
        `the stored API key of "${name}" cannot be decrypted by this user's keychain; store it again`
      )
    }
    return new ApiKey(plain)
  }

  set(name: string, key: ApiKey): void {
    if (!this.available())
      throw new KeyStoreError(
        'the system keychain is not available here, so Glossa will not store the key; ' +
          'put it in an environment variable and name that variable in keyEnv (--key-env)'
      )
    const data = this.read()
    data.keys[name] = this.cipher.encryptString(key.reveal()).toString('base64')
    this.write(data)
  }

  delete(name: string): boolean {
    const data = this.read()
    if (!Object.hasOwn(data.keys, name)) return false
    delete data.keys[name]
    this.write(data)
    return true
  }
}

/**
 * The key for a run, resolved when a job starts or resumes (never stored with the job): the
 * environment variable named by keyEnv when there is one (a config error naming it when unset),
 * else the desktop app's stored key, else none.
 */
export function resolveEndpointKey(
  def: { name: string; keyEnv?: string | undefined },
  store: EndpointKeyStore | undefined,
  env: Record<string, string | undefined> = process.env
): ApiKey | null {
  if (def.keyEnv) return resolveApiKey(def, env)
  if (!store) return null
  try {
    return store.get(def.name)
  } catch (err) {
    throw new EndpointError('config', `endpoint "${def.name}": ${(err as Error).message}`, {
      endpoint: def.name
    })
  }
}
