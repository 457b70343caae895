/**
 * Chat-VLM catalogue entries against a LOOPBACK Hugging Face stand-in (nothing else is
 * contacted): the repo `onnx-community/Qwen2-VL-2B-Instruct` is served from the tiny Qwen2-VL
 * fixture with its ONNX files named for dtype q4, among files transformers.js never opens
 * (vocab.json, merges.txt, fp32 sessions, safetensors). The dry-run plan lists exactly the files
 * the catalogue entry needs, with sizes, before any download; a repo missing a required file is
 * refused up front; the real download fetches only those files, registers the folder with dtype
 * q4, and the model captions.
 */
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCore, type Core } from '../../src-main/core'
import { catalogue, chatVlmFiles, type Dtype } from '../../src-main/core/captioning/catalogue'
import { qwen2vlFiles } from '../fixtures/models/make-qwen2vl'

const REPO = 'onnx-community/Qwen2-VL-2B-Instruct'
const BROKEN = 'onnx-community/Qwen3-VL-2B-Instruct-ONNX'

let tmp: string
let core: Core
let server: http.Server
let base: string
const resolved: string[] = []
const repos = new Map<string, Map<string, Buffer>>()

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex')

function repoFiles(drop: string[] = []): Map<string, Buffer> {
  const files = new Map<string, Buffer>()
  for (const [rel, data] of Object.entries(qwen2vlFiles({ modelType: 'qwen2_vl' }))) {
    const buf = Buffer.from(data)
    const q4 = rel.replace(/^onnx\/(.+)\.onnx$/, 'onnx/$1_q4.onnx')
    files.set(q4, buf)
    // an fp32 copy that a q4 download must not fetch
    if (q4 !== rel) files.set(rel, buf)
  }
  // published external weights of the decoder (q4): fetched with it
  files.set('onnx/decoder_model_merged_q4.onnx_data', randomBytes(4096))
  for (const extra of ['vocab.json', 'merges.txt', 'added_tokens.json', 'README.md'])
    files.set(extra, Buffer.from(`${extra} that transformers.js never opens\n`))
  files.set('model.safetensors', randomBytes(64 * 1024))
  for (const d of drop) files.delete(d)
  return files
}

beforeAll(async () => {
  tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'glossa-dlplan-'))
  repos.set(REPO, repoFiles())
  repos.set(BROKEN, repoFiles(['onnx/vision_encoder_q4.onnx']))
  core = createCore({ dataDir: path.join(tmp, 'data') })
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const api = /^\/api\/models\/([^/]+\/[^/]+)\/tree\/main$/.exec(url.pathname)
    if (api) {
      const files = repos.get(api[1]!)
      if (!files) return void res.writeHead(404).end()
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify(
          [...files].map(([p, b]) => ({
            type: 'file',
            path: p,
            size: b.length,
            oid: 'x',
            lfs: { oid: sha256(b), size: b.length }
          }))
        )
      )
      return
    }
    const m = /^\/([^/]+\/[^/]+)\/resolve\/main\/(.+)$/.exec(url.pathname)
    const body = m && repos.get(m[1]!)?.get(decodeURIComponent(m[2]!))
    if (!body) return void res.writeHead(404).end()
    resolved.push(`${m[1]}/${decodeURIComponent(m[2]!)}`)
    res.writeHead(200, { 'content-length': body.length }).end(body)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await core?.close()
  await new Promise((r) => server.close(r))
  await fs.promises.rm(tmp, { recursive: true, force: true })
})

describe('the chat-VLM catalogue', () => {
  it('lists, for each chat VLM, exactly the files transformers.js opens at its dtype', () => {
    const vlms = catalogue().filter((e) => e.kind === 'chat-vlm')
    expect(vlms.map((e) => e.modelType).sort()).toEqual(
      expect.arrayContaining(['qwen2_5_vl', 'qwen3_vl', 'idefics3'])
    )
    for (const e of vlms) {
      const files = chatVlmFiles(e.modelType!, e.dtype as Dtype)
      expect(e.required, e.repoId).toEqual(files.required)
      expect([...e.include].sort(), e.repoId).toEqual([...files.required, ...files.optional].sort())
      expect(e.include.some((f) => /vocab\.json|merges\.txt|safetensors/.test(f))).toBe(false)
    }
  })
})

describe('download plans and downloads of a chat VLM (loopback server)', () => {
  it('the dry run lists the needed files and sizes, and downloads nothing', async () => {
    const plan = await core.call('models.downloadPlan', { repoId: REPO, mirror: base })
    const files = repos.get(REPO)!
    expect(plan.files.map((f) => f.path).sort()).toEqual(
      [
        'config.json',
        'generation_config.json',
        'onnx/decoder_model_merged_q4.onnx',
        'onnx/decoder_model_merged_q4.onnx_data',
        'onnx/embed_tokens_q4.onnx',
        'onnx/vision_encoder_q4.onnx',
        'preprocessor_config.json',
        'tokenizer.json',
        'tokenizer_config.json'
      ].sort()
    )
    for (const f of plan.files) expect(f.size, f.path).toBe(files.get(f.path)!.length)
    expect(plan.totalBytes).toBe(plan.files.reduce((s, f) => s + f.size, 0))
    expect(plan).toMatchObject({ haveBytes: 0, missing: [], revision: 'main' })
    expect(resolved).toEqual([])
    expect(fs.existsSync(plan.dir)).toBe(false)
  })

  it('a repo without a required file is named in the plan and refused before any byte is fetched', async () => {
    const plan = await core.call('models.downloadPlan', { repoId: BROKEN, mirror: base })
    expect(plan.missing).toEqual(['onnx/vision_encoder_q4.onnx'])
    const r = await core.call('models.download', { repoId: BROKEN, mirror: base })
    const job = await core.waitForJob(r.jobId)
    expect(job.status).toBe('failed')
    expect(job.error).toMatch(/lacks onnx\/vision_encoder_q4\.onnx, which the model needs/)
    expect(resolved.filter((x) => x.startsWith(BROKEN))).toEqual([])
  })

  it('downloads only those files, registers the model at dtype q4, and it captions', async () => {
    const r = await core.call('models.download', { repoId: REPO, mirror: base })
    const job = await core.waitForJob(r.jobId)
    expect(job.status, job.error ?? '').toBe('done')
    expect(
      resolved
        .filter((x) => x.startsWith(REPO))
        .map((x) => x.slice(REPO.length + 1))
        .sort()
    ).toEqual(
      (await core.call('models.downloadPlan', { repoId: REPO, mirror: base })).files
        .map((f) => f.path)
        .sort()
    )
    const model = (await core.call('models.list', {})).find((m) => m.repoId === REPO)!
    expect(model).toMatchObject({ kind: 'chat-vlm', modelType: 'qwen2_vl' })
    expect(model.files).toEqual(expect.arrayContaining(['onnx/decoder_model_merged_q4.onnx']))
    // the plan now sees every file in place
    const again = await core.call('models.downloadPlan', { repoId: REPO, mirror: base })
    expect(again.haveBytes).toBe(again.totalBytes)

    const img = path.join(tmp, 'img', 'blue.png')
    await fs.promises.mkdir(path.dirname(img), { recursive: true })
    await sharp({ create: { width: 64, height: 48, channels: 3, background: '#1428f0' } })
      .png()
      .toFile(img)
    const imp = await core.call('import.start', { dir: path.dirname(img), datasetName: 'x' })
    expect((await core.waitForJob(imp.jobId)).status).toBe('done')
    const id = (await core.call('images.page', { filter: { datasetId: imp.datasetId } })).rows[0]!
      .id
    const preview = await core.call('caption.preview', {
      imageId: id,
      modelId: model.id,
      preset: 'hunyuan-en'
    })
    expect(preview).toMatchObject({ text: 'a blue image', kind: 'chat-vlm', ep: 'cpu' })
    expect(preview.rendered).toContain('<|vision_start|><|image_pad|><|vision_end|>')
  })
})
