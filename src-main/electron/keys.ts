/**
 * Electron glue for endpoint API keys: Electron's safeStorage as the cipher of the pure key store
 * (core/captioning/endpoint/keys.ts), with the key file in the app's user-data folder, outside the
 * library. safeStorage is only usable once the app is ready; the store calls it lazily.
 */
import path from 'node:path'
import { app, safeStorage } from 'electron'
import { EndpointKeyStore, type KeyCipher } from '../core/captioning/endpoint/keys'

/** The key file and Electron's safeStorage as a cipher (the core host reaches it over a bridge). */
export function electronKeys(): { file: string; cipher: KeyCipher } {
  const cipher: KeyCipher = {
    isEncryptionAvailable: () => safeStorage.isEncryptionAvailable(),
    encryptString: (plain) => safeStorage.encryptString(plain),
    decryptString: (encrypted) => safeStorage.decryptString(encrypted),
    // Linux: 'basic_text' means no keyring, which the store refuses
    ...(process.platform === 'linux'
      ? { getSelectedStorageBackend: () => safeStorage.getSelectedStorageBackend() }
      : {})
  }
  return { file: path.join(app.getPath('userData'), 'endpoint-keys.json'), cipher }
}

/** The same, as a store in this thread. */
export function electronKeyStore(): EndpointKeyStore {
  const { file, cipher } = electronKeys()
  return new EndpointKeyStore(file, cipher)
}
