/**
 * The desktop app's endpoint key file (endpoint/keys.ts) with a real cipher standing in for the
 * system keychain: keys are stored encrypted, replaced atomically, refused when the keychain is
 * missing or is Linux's fixed-password fallback, and resolved for a job from keyEnv first.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ApiKey,
  EndpointError,
  EndpointKeyStore,
  resolveEndpointKey
} from '../../src-main/core/captioning/endpoint'
import { testKeychain } from '../fixtures/key-cipher'

const KEY = 'sk-unit-test-key-4c1d9e77aa02'
let tmp: string

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'glossa-keys-'))
})
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

describe('EndpointKeyStore', () => {
  it('stores keys encrypted, owner-only, and reads them back as redacting ApiKeys', () => {
    const file = path.join(tmp, 'a', 'endpoint-keys.json')
    const store = new EndpointKeyStore(file, testKeychain())
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
      ...testKeychain(),
      isEncryptionAvailable: () => false
    })
    expect(none.available()).toBe(false)
    expect(() => none.set('x', new ApiKey(KEY))).toThrow(/keychain is not available/)
    const basic = new EndpointKeyStore(path.join(tmp, 'c.json'), {
      ...testKeychain(),
      getSelectedStorageBackend: () => 'basic_text'
    })
    expect(basic.available()).toBe(false)
    expect(() => basic.set('x', new ApiKey(KEY))).toThrow(/--key-env/)
    expect(fs.existsSync(path.join(tmp, 'c.json'))).toBe(false)
  })

  it('a key another keychain encrypted is reported in words, and a damaged file names itself', () => {
    const file = path.join(tmp, 'd.json')
    new EndpointKeyStore(file, testKeychain()).set('vllm', new ApiKey(KEY))
    const other = new EndpointKeyStore(file, testKeychain())
    expect(() => other.get('vllm')).toThrow(/cannot be decrypted by this user's keychain/)
    fs.writeFileSync(path.join(tmp, 'e.json'), 'not json')
    expect(() => new EndpointKeyStore(path.join(tmp, 'e.json'), testKeychain()).get('x')).toThrow(
      /e\.json: is not a Glossa key file/
    )
  })

  it('a job takes the key from keyEnv first, then the store; an unset variable is a config error', () => {
    const store = new EndpointKeyStore(path.join(tmp, 'f.json'), testKeychain())
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
