/**
 * `npm run fixtures -- DIR` (test/fixtures/models/write-all.ts, run as the script it is): every
 * generated fixture model lands in its own folder with its config.json, and each one is a model
 * Glossa accepts (models.add) with the kind the README says.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCore, type Core } from '../../src-main/core'
import { REPO } from '../fixtures/cli'
import { FIXTURES } from '../fixtures/models/write-all'

let tmp: string
let core: Core

beforeAll(async () => {
  tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'glossa-fixtures-'))
  core = createCore({ dataDir: path.join(tmp, 'data') })
})
afterAll(async () => {
  await core?.close()
  await fs.promises.rm(tmp, { recursive: true, force: true })
})

describe('npm run fixtures -- DIR', () => {
  it('writes one folder per fixture model, each with its config.json, each accepted by models.add', async () => {
    const out = path.join(tmp, 'models')
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', path.join(REPO, 'test/fixtures/models/write-all.ts'), out],
        { cwd: REPO, stdio: 'ignore' }
      )
      child.on('error', reject)
      child.on('exit', resolve)
    })
    expect(code).toBe(0)
    const folders = fs
      .readdirSync(out, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort()
    expect(folders).toEqual(FIXTURES.map((f) => f.name).sort())
    expect(folders).toEqual(
      expect.arrayContaining([
        'wd-tagger-tiny',
        'vit-gpt2-tiny',
        'florence-2-tiny',
        'qwen2-vl-tiny',
        'smolvlm-tiny'
      ])
    )
    for (const f of FIXTURES) {
      const dir = path.join(out, f.name)
      expect(fs.existsSync(path.join(dir, 'config.json')), f.name).toBe(true)
      const m = await core.call('models.add', { dir })
      expect(m.kind, f.name).toBe(f.kind)
    }
    expect(fs.readFileSync(path.join(out, 'README.md'), 'utf8')).toContain('glossa models add')
  }, 120_000)
})
