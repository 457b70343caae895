/**
 * The contract is enforced at the core's door: for every method in METHOD_NAMES, malformed
 * argument objects (wrong type, missing required field, unknown extra key) are rejected with
 * INVALID_ARGS before any handler runs; unknown methods give UNKNOWN_METHOD. The table below must
 * cover every method, so a new method without bad-argument cases fails this test.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCore, type Core } from '../../src-main/core'
import { METHOD_NAMES, type MethodName } from '../../src-main/shared/api'
import { captioningBad } from './contract-cases/captioning'
import { glossaryBad } from './contract-cases/glossary'
import { datatoolsBad } from './contract-cases/datatools'
import { reviewBad } from './contract-cases/review'
import { studioBad } from './contract-cases/studio'

const CORE_BAD: Record<string, unknown[]> = {
  'library.info': [{ extra: 1 }, 'x', null, [1]],
  'library.stats': [{ datasetId: 'one' }, { datasetId: -1 }, { datasetId: 1.5 }, { dataset: 1 }],
  'library.backup': [{ file: '/tmp/x' }, 42],
  'datasets.list': [{ all: true }],
  'datasets.create': [
    {},
    { name: '' },
    { name: '   ' },
    { name: 7 },
    { name: 'ok', color: 'red' },
    { name: 'x'.repeat(201) }
  ],
  'datasets.get': [{ id: '1' }, { id: 0 }, { name: 3 }, { id: 1, slug: 'a' }],
  'datasets.rename': [
    { id: 1 },
    { name: 'x' },
    { id: 'a', name: 'x' },
    { id: 1, name: '' },
    { id: 1, name: 'x', force: true }
  ],
  'datasets.concepts': [{}, { datasetId: 'x' }, { datasetId: 1, extra: 1 }],
  'import.start': [
    {},
    { dir: '' },
    { dir: 5 },
    { dir: '/tmp', datasetId: 'x' },
    { dir: '/tmp', recursive: false },
    { dir: '/tmp', format: 'zip' },
    { dir: '/tmp', format: 'hf', formatOptions: { captionColumn: '' } }
  ],
  'images.page': [
    { limit: 0 },
    { limit: 1001 },
    { limit: 'ten' },
    { sort: { key: 'size', dir: 'asc' } },
    { sort: { key: 'name', dir: 'up' } },
    { filter: { status: ['done'] } },
    { filter: { missing: 'fr' } },
    { filter: { datasetId: -2 } },
    { filter: { tag: 'x' } },
    { filter: { tags: [] } },
    { filter: { tags: 'cat' } },
    { filter: { width: { min: 1024, max: 512 } } },
    { filter: { height: { from: 1 } } },
    { filter: { aspect: { min: -1 } } },
    { filter: { captionLength: { lang: 'fr', min: 1 } } },
    { filter: { captionLength: { lang: 'zh', unit: 'bytes' } } },
    { filter: { bucket: { width: 512, height: 512 } } },
    { cursor: 5 },
    { offset: 100 }
  ],
  'images.get': [{}, { id: 'abc' }, { id: -1 }, { id: 1, full: true }],
  'images.setStatus': [
    { ids: [], status: 'approved' },
    { ids: [1], status: 'done' },
    { ids: ['1'], status: 'approved' },
    { ids: [1] },
    { ids: [1], status: 'approved', note: 'x' }
  ],
  'captions.setText': [
    { imageId: 1, lang: 'fr', text: 'x' },
    { imageId: 1, lang: 'zh' },
    { imageId: 1, lang: 'zh', text: 5 },
    { imageId: 1, lang: 'zh', text: 'x', source: 'model' }
  ],
  'captions.setFields': [
    { imageId: 1, lang: 'zh', fields: { mood: 'x' } },
    { imageId: 1, lang: 'zh', fields: { subject: 1 } },
    { imageId: 1, lang: 'zh' },
    { imageId: 1, lang: 'zh', fields: {}, text: 'x' }
  ],
  'captions.setTags': [
    { imageId: 1 },
    { imageId: 1, tags: ['cat'] },
    { imageId: 1, tags: [{ tag: '' }] },
    { imageId: 1, tags: [{ tag: 'cat', score: 2 }] },
    { imageId: 1, tags: [{ tag: 'cat', weight: 1 }] },
    { imageId: 1, tags: [], lang: 'zh' }
  ],
  'history.undo': [{ steps: 2 }, { batchId: 'last' }, { batchId: 0 }],
  'history.redo': [{ steps: 2 }, { batchId: -1 }],
  'history.list': [{ limit: 0 }, { limit: 501 }, { limit: 'all' }, { before: 3 }],
  'jobs.list': [{ status: ['sleeping'] }, { limit: 0 }, { kind: 'import' }],
  'jobs.get': [{}, { id: 'x' }, { id: 1, verbose: true }],
  'jobs.cancel': [{}, { id: 0 }, { id: 1, force: true }],
  'jobs.resume': [{}, { id: -5 }, { id: 1, now: true }],
  'jobs.errors': [{}, { id: 1, afterSeq: -1 }, { id: 1, limit: 5000 }, { id: 1, page: 2 }],
  'settings.get': [{}, { key: '' }, { key: 5 }, { key: 'a', default: 1 }],
  'settings.set': [
    { key: 'a' },
    { value: 1 },
    { key: '', value: 1 },
    { key: 'a', value: 1, scope: 'user' }
  ]
}
const BAD = {
  ...CORE_BAD,
  ...captioningBad,
  ...glossaryBad,
  ...datatoolsBad,
  ...reviewBad,
  ...studioBad
} as Record<MethodName, unknown[]>

let dir: string
let core: Core
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glossa-contract-'))
  core = createCore({ dataDir: dir })
})
afterAll(async () => {
  await core.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('contract validation', () => {
  it('has bad-argument cases for every method in the contract, and only for those', () => {
    expect(Object.keys(BAD).sort()).toEqual([...METHOD_NAMES].sort())
    for (const m of METHOD_NAMES) expect(BAD[m].length, m).toBeGreaterThan(0)
  })

  for (const method of METHOD_NAMES) {
    it(`${method} rejects malformed arguments with INVALID_ARGS`, async () => {
      for (const args of BAD[method]) {
        const err = await core.call(method, args).then(
          () => null,
          (e: unknown) => e
        )
        expect(err, `${method} ${JSON.stringify(args)} was accepted`).toMatchObject({
          code: 'INVALID_ARGS'
        })
        expect((err as Error).message).toContain(method)
      }
    })
  }

  it('every method rejects an argument object with an unknown key', async () => {
    for (const method of METHOD_NAMES) {
      const err = await core.call(method, { __unknown__: true }).then(
        () => null,
        (e: unknown) => e
      )
      expect(err, method).toMatchObject({ code: 'INVALID_ARGS' })
    }
  })

  it('nothing was written by the rejected calls', async () => {
    expect(await core.call('datasets.list', {})).toEqual([])
    expect(await core.call('history.list', {})).toEqual([])
    expect(await core.call('jobs.list', {})).toEqual([])
  })

  it('unknown methods give UNKNOWN_METHOD', async () => {
    for (const m of [
      'images.delete',
      '',
      'constructor',
      '__proto__',
      'toString',
      'library.info '
    ]) {
      await expect(core.call(m as MethodName, {})).rejects.toMatchObject({ code: 'UNKNOWN_METHOD' })
    }
  })
})
