/**
 * The desktop app's endpoint key file (endpoint/keys.ts) with a real cipher standing in for the
 * system keychain: keys are stored encrypted, replaced atomically, refused when the keychain is
 * missing or is Linux's fixed-password fallback, and resolved for a job from keyEnv first.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ApiKey,
  EndpointError,
  EndpointKeyStore,
  resolveEndpointKey,
  type KeyCipher
} from '../../src-main/core/captioning/endpoint'

const KEY = 'sk-unit-test-key-4c1d9e77aa02'
let tmp: string

function aes(): KeyCipher {
  const k = crypto.randomBytes(32)
  return {
    isEncryptionAvailable: () => true,
    encryptString(plain) {
      const iv = crypto.randomBytes(12)
      const c = crypto.createCipheriv('aes-256-gcm', k, iv)
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()])
      return Buffer.concat([iv, c.getAuthTag(), body])
    },
    decryptString(buf) {
      const d = crypto.createDecipheriv('aes-256-gcm', k, buf.subarray(0, 12))
      d.setAuthTag(buf.subarray(12, 28))
      return Buffer.concat([d.update(buf.subarray(28)), d.final()]).toString('utf8')
    }
  }
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'glossa-keys-'))
})
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

describe('EndpointKeyStore', () => {
  it('stores keys encrypted, owner-only, and reads them back as redacting ApiKeys', () => {
    const file = path.join(tmp, 'a', 'endpoint-keys.json')
    const store = new EndpointKeyStore(file, aes())
    expect(store.get('vllm')).toBeNull()
    store.set('vllm', new ApiKey(KEY))
    store.set('ollama', new ApiKey('other-key-123456789'))
    expect(fs.readFileSync(file, 'utf8')).not.toContain(KEY)
    if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    const k = store.get('vllm')!
    expect(k.reveal()).toBe(KEY)
    expect(String(k)).toBe('[redacted]')
    expect(JSON.stringify({ k })).not.toContain(KEY)
    expect(store.delete('vllm')).toBe(true)
    expect(store.has('vllm')).toBe(false)
    expect(store.get('ollama')!.reveal()).toBe('other-key-123456789')
    expect(fs.readdirSync(path.dirname(file))).toEqual(['endpoint-keys.json'])
  })

  it("refuses to store without a keychain, and on Linux's fixed-password fallback", () => {
    const none = new EndpointKeyStore(path.join(tmp, 'b.json'), {
      ...aes(),
      isEncryptionAvailable: () => false
    })
    expect(none.available()).toBe(false)
    expect(() => none.set('x', new ApiKey(KEY))).toThrow(/keychain is not available/)
    const basic = new EndpointKeyStore(path.join(tmp, 'c.json'), {
      ...aes(),
      getSelectedStorageBackend: () => 'basic_text'
    })
    expect(basic.available()).toBe(false)
    expect(() => basic.set('x', new ApiKey(KEY))).toThrow(/--key-env/)
    expect(fs.existsSync(path.join(tmp, 'c.json'))).toBe(false)
  })

  it('a key another keychain encrypted is reported in words, and a damaged file names itself', () => {
    const file = path.join(tmp, 'd.json')
    new EndpointKeyStore(file, aes()).set('vllm', new ApiKey(KEY))
    const other = new EndpointKeyStore(file, aes())
    expect(() => other.get('vllm')).toThrow(/cannot be decrypted by this user's keychain/)
    fs.writeFileSync(path.join(tmp, 'e.json'), 'not json')
    expect(() => new EndpointKeyStore(path.join(tmp, 'e.json'), aes()).get('x')).toThrow(
      /e\.json: is not a Glossa key file/
    )
  })

  it('a job takes the key from keyEnv first, then the store; an unset variable is a config error', () => {
    const store = new EndpointKeyStore(path.join(tmp, 'f.json'), aes())
    store.set('ep', new ApiKey('stored-key-0123456789'))
    expect(resolveEndpointKey({ name: 'ep' }, store)!.reveal()).toBe('stored-key-0123456789')
    expect(
      resolveEndpointKey({ name: 'ep', keyEnv: 'EP_KEY' }, store, { EP_KEY: KEY })!.reveal()
    ).toBe(KEY)
    let err: unknown = null
    try {
      resolveEndpointKey({ name: 'ep', keyEnv: 'EP_KEY' }, store, {})
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(EndpointError)
    expect((err as EndpointError).kind).toBe('config')
    expect(resolveEndpointKey({ name: 'nothing' }, undefined)).toBeNull()
  })
})
