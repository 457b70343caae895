/**
 * Electron glue for endpoint API keys: Electron's safeStorage as the cipher of the pure key store
 * (core/captioning/endpoint/keys.ts), with the key file in the app's user-data folder, outside the
 * library. safeStorage is only usable once the app is ready; the store calls it lazily.
 */
import path from 'node:path'
import { app, safeStorage } from 'electron'
import { EndpointKeyStore, type KeyCipher } from '../core/captioning/endpoint/keys'

export function electronKeyStore(): EndpointKeyStore {
  const cipher: KeyCipher = {
    isEncryptionAvailable: () => safeStorage.isEncryptionAvailable(),
    encryptString: (plain) => safeStorage.encryptString(plain),
    decryptString: (encrypted) => safeStorage.decryptString(encrypted),
    // Linux: 'basic_text' means no keyring, which the store refuses
    ...(process.platform === 'linux'
      ? { getSelectedStorageBackend: () => safeStorage.getSelectedStorageBackend() }
      : {})
  }
  return new EndpointKeyStore(path.join(app.getPath('userData'), 'endpoint-keys.json'), cipher)
}
