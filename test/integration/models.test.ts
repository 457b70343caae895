/**
 * The model registry through the core: bad model folders give a clear error naming the file at
 * "add model" time (never a crash, and the core keeps working), the catalogue parses, presets
 * are user-editable while built-ins are read-only.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCore, type Core } from '../../src-main/core'
import { writeBadTaggerFolder, writeTaggerFolder } from '../fixtures/models/make-tagger'
import { writeVedFolder } from '../fixtures/models/make-ved'

let tmp: string
let core: Core

beforeAll(async () => {
  tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'glossa-models-'))
  core = createCore({ dataDir: path.join(tmp, 'data') })
})
afterAll(async () => {
  await core?.close()
  await fs.promises.rm(tmp, { recursive: true, force: true })
})

async function addError(dir: string): Promise<{ code: string; message: string; details: unknown }> {
  const err = await core.call('models.add', { dir }).then(
    () => null,
    (e: unknown) => e
  )
  expect(err, `${dir} was accepted`).not.toBeNull()
  return err as { code: string; message: string; details: unknown }
}

describe('models.add with bad models', () => {
  it('a truncated .onnx names model.onnx', async () => {
    const dir = await writeBadTaggerFolder(path.join(tmp, 'truncated'), 'truncated')
    const e = await addError(dir)
    expect(e.code).toBe('INVALID_ARGS')
    expect(e.message).toContain(path.join(dir, 'model.onnx'))
    expect(e.details).toMatchObject({ file: path.join(dir, 'model.onnx') })
  })

  it('a CSV whose rows differ from the output width names selected_tags.csv', async () => {
    const dir = await writeBadTaggerFolder(path.join(tmp, 'csv'), 'csv-mismatch')
    const e = await addError(dir)
    expect(e.message).toContain(path.join(dir, 'selected_tags.csv'))
    expect(e.message).toMatch(/has 12 tags but the model outputs 14 scores/)
  })

  it('an image model given as a tagger names the file and says why', async () => {
    const dir = await writeBadTaggerFolder(path.join(tmp, 'image'), 'image-model')
    const e = await addError(dir)
    expect(e.message).toContain(path.join(dir, 'model.onnx'))
    expect(e.message).toMatch(/NCHW/)
  })

  it('a transformers folder missing tokenizer.json says so', async () => {
    const dir = await writeVedFolder(path.join(tmp, 'ved-no-tok'))
    await fs.promises.rm(path.join(dir, 'tokenizer.json'))
    const e = await addError(dir)
    expect(e.message).toContain(dir)
    expect(e.message).toContain('missing tokenizer.json')
  })

  it('a missing folder is reported, and nothing bad was registered; the core still works', async () => {
    const e = await addError(path.join(tmp, 'nope'))
    expect(e.message).toContain(path.join(tmp, 'nope'))
    expect(await core.call('models.list', {})).toEqual([])
    const good = await core.call('models.add', {
      dir: await writeTaggerFolder(path.join(tmp, 'good'), { dynamicBatch: false })
    })
    expect(good).toMatchObject({ id: 'good', kind: 'tagger', batch: 1, numTags: 14 })
    // adding the same folder again keeps its id
    expect((await core.call('models.add', { dir: good.dir, name: 'Good one' })).id).toBe('good')
    expect((await core.call('models.list', {})).map((m) => m.name)).toEqual(['Good one'])
    expect(await core.call('models.remove', { id: 'good' })).toEqual({ removed: true })
    expect(await core.call('models.list', {})).toEqual([])
    await expect(core.call('models.remove', { id: 'good' })).rejects.toMatchObject({
      code: 'NOT_FOUND'
    })
  })
})

describe('catalogue and presets', () => {
  it('the catalogue parses and lists the WD v3 taggers and Florence-2', async () => {
    const cat = await core.call('models.catalogue', {})
    const ids = cat.map((c) => c.repoId)
    expect(ids).toEqual(
      expect.arrayContaining([
        'SmilingWolf/wd-vit-tagger-v3',
        'SmilingWolf/wd-swinv2-tagger-v3',
        'SmilingWolf/wd-eva02-large-tagger-v3',
        'onnx-community/Florence-2-base-ft'
      ])
    )
    for (const c of cat) {
      expect(c.sizeBytes).toBeGreaterThan(0)
      expect(c.licence).not.toBe('')
      expect(c.include.length).toBeGreaterThan(0)
    }
  })

  it('user presets are saved, listed and deleted; built-ins are read-only', async () => {
    const before = await core.call('presets.list', {})
    expect(before.find((p) => p.id === 'hunyuan-zh')).toMatchObject({
      template: '描述这张图片',
      builtin: true
    })
    const saved = await core.call('presets.save', {
      id: 'food-zh',
      name: '美食',
      lang: 'zh',
      template: '根据提示词“{content}”,描述这道菜',
      output: 'text',
      content: 'raw'
    })
    expect(saved.builtin).toBe(false)
    expect((await core.call('presets.list', {})).map((p) => p.id)).toContain('food-zh')
    await expect(
      core.call('presets.save', { ...saved, id: 'hunyuan-zh', builtin: undefined } as never)
    ).rejects.toMatchObject({ code: 'INVALID_ARGS' })
    await expect(
      core.call('presets.save', {
        id: 'bad',
        name: 'x',
        lang: 'en',
        template: 'describe {subject}',
        output: 'text',
        content: 'none'
      })
    ).rejects.toMatchObject({ code: 'INVALID_ARGS', message: expect.stringContaining('{content}') })
    await expect(core.call('presets.delete', { id: 'hunyuan-zh' })).rejects.toMatchObject({
      code: 'CONFLICT'
    })
    expect(await core.call('presets.delete', { id: 'food-zh' })).toEqual({ deleted: true })
  })
})
