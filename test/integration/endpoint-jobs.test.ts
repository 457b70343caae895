/**
 * OpenAI-compatible endpoints as captioning models, through the core, against the loopback
 * server in test/fixtures/openai-server.ts (it decodes every image it receives and answers from
 * its size, colour and the prompt): an endpoint is listed and tested like a model, a caption job
 * keeps the local models' guarantees (one undoable batch, skip captioned images, cancel keeps
 * finished work, resume after a kill with no stored image sent twice), failures land where they
 * belong (per image, or the job with a sentence), and the API key never reaches the library.
 *
 * Images are 64+i pixels wide (i = 0…N-1), so the width the server decoded names the image.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import Database from 'better-sqlite3'
import sharp from 'sharp'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createCore, type Core } from '../../src-main/core'
import { EndpointKeyStore } from '../../src-main/core/captioning/endpoint/keys'
import { testKeychain } from '../fixtures/key-cipher'
import { REPO } from '../fixtures/cli'
import { startOpenAIServer, type FakeOpenAIServer } from '../fixtures/openai-server'

const N = 12
const KEY = 'sk-glossa-endpoint-test-7f3a9c2e5b1d'
const ENV = 'GLOSSA_TEST_ENDPOINT_KEY'
const MODEL = 'glossa-test-vlm'
const COLOURS = [
  ['red', '红色', { r: 220, g: 40, b: 40 }],
  ['green', '绿色', { r: 40, g: 180, b: 60 }],
  ['blue', '蓝色', { r: 40, g: 70, b: 220 }]
] as const

let tmp: string
let core: Core
let server: FakeOpenAIServer
let datasetId: number
/** image width → image id */
const idOfWidth = new Map<number, number>()

const width = (i: number): number => 64 + i
const zhCaption = (i: number): string => `一张${width(i)}x48的${COLOURS[i % 3]![1]}图片。`

async function run(args: Record<string, unknown>) {
  const { jobId } = await core.call('caption.start', {
    target: { datasetId },
    modelId: 'loopback',
    preset: 'hunyuan-zh',
    ...args
  } as never)
  return core.waitForJob(jobId)
}

/** How many successful answers each image got (by width). */
function answered(): Map<number, number> {
  const m = new Map<number, number>()
  for (const r of server.chatRequests())
    if (r.status === 200 && !r.aborted && r.image)
      m.set(r.image.width, (m.get(r.image.width) ?? 0) + 1)
  return m
}

async function zhOf(i: number): Promise<{ text: string; source: string } | null> {
  return (await core.call('images.get', { id: idOfWidth.get(width(i))! })).captions.zh
}

function libraryBytesContain(file: string, needle: string): boolean {
  for (const f of [file, `${file}-wal`])
    if (fs.existsSync(f) && fs.readFileSync(f).includes(Buffer.from(needle))) return true
  return false
}

beforeAll(async () => {
  tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'glossa-endpoint-jobs-'))
  const src = path.join(tmp, 'shapes')
  await fs.promises.mkdir(src)
  for (let i = 0; i < N; i++)
    await sharp({
      create: { width: width(i), height: 48, channels: 3, background: COLOURS[i % 3]![2] }
    })
      .png()
      .toFile(path.join(src, `img-${String(i).padStart(2, '0')}.png`))
  server = await startOpenAIServer({ models: [MODEL], apiKey: KEY })
  process.env[ENV] = KEY
  core = createCore({ dataDir: path.join(tmp, 'data') })
  const imp = await core.call('import.start', { dir: src, datasetName: 'shapes' })
  expect((await core.waitForJob(imp.jobId)).status).toBe('done')
  datasetId = imp.datasetId
  const page = await core.call('images.page', { filter: { datasetId }, limit: 100 })
  for (const r of page.rows) idOfWidth.set(r.width!, r.id)
  await core.call('models.endpointSave', {
    endpoint: {
      name: 'loopback',
      url: server.origin,
      model: MODEL,
      keyEnv: ENV,
      concurrency: 3,
      maxSide: 1024
    }
  })
}, 60_000)

afterAll(async () => {
  await core?.close()
  await server?.close()
  delete process.env[ENV]
  await fs.promises.rm(tmp, { recursive: true, force: true })
})

beforeEach(() => {
  server.reset()
  server.delayMs = 0
  process.env[ENV] = KEY
})

describe('an endpoint is a model', () => {
  it('is listed with its server and key source, and "test connection" lists the served models', async () => {
    const m = (await core.call('models.list', {})).find((x) => x.id === 'loopback')!
    expect(m).toMatchObject({
      kind: 'endpoint',
      dir: `${server.origin}/v1`,
      defaultPreset: 'hunyuan-zh',
      endpoint: {
        url: `${server.origin}/v1`,
        model: MODEL,
        keyEnv: ENV,
        keyAvailable: true,
        keyStored: false,
        concurrency: 3,
        maxSide: 1024
      }
    })
    const ok = await core.call('models.endpointTest', { id: 'loopback' })
    expect(ok).toMatchObject({ ok: true, models: [MODEL], modelServed: true, errorKind: null })
    expect(ok.message).toMatch(/serves "glossa-test-vlm"/)

    // an unsaved definition: a closed port is explained in words
    const closed = await startOpenAIServer()
    await closed.close()
    const down = await core.call('models.endpointTest', {
      endpoint: { name: 'down', url: closed.origin, model: MODEL }
    })
    expect(down).toMatchObject({ ok: false, errorKind: 'unreachable' })
    expect(down.message).toMatch(/refused|cannot reach|not reachable|unreachable/i)

    // a wrong model name
    const wrong = await core.call('models.endpointTest', {
      endpoint: { name: 'wrong', url: server.origin, model: 'not-served', keyEnv: ENV }
    })
    expect(wrong).toMatchObject({ ok: false, modelServed: false, models: [MODEL] })
  })

  it('refuses a key in the definition, a taken name, and a model id clash', async () => {
    const withKey = await core
      .call('models.endpointSave', {
        endpoint: { name: 'leaky', url: server.origin, model: MODEL, apiKey: KEY } as never
      })
      .catch((e: Error) => e)
    expect((withKey as Error).message).toMatch(/never stores its API key/)
    expect((withKey as Error).message).not.toContain(KEY)
    const again = await core
      .call('models.endpointSave', {
        endpoint: { name: 'loopback', url: server.origin, model: MODEL }
      })
      .catch((e: { code: string }) => e)
    expect(again).toMatchObject({ code: 'CONFLICT' })
    // "ocr" is kept for the built-in OCR model
    const reserved = await core
      .call('models.endpointSave', { endpoint: { name: 'ocr', url: server.origin, model: MODEL } })
      .catch((e: { code: string; message: string }) => e)
    expect(reserved).toMatchObject({ code: 'CONFLICT' })
    expect((reserved as { message: string }).message).toMatch(/built into Glossa/)
    // the browser-mode / CLI core keeps no keys
    const store = await core
      .call('models.endpointKey', { id: 'loopback', key: KEY })
      .catch((e: { code: string; message: string }) => e)
    expect(store).toMatchObject({ code: 'FORBIDDEN' })
  })
})

describe('caption jobs through an endpoint', () => {
  it('captions every image once, N in flight, with the request the preset asks for, as one undoable batch', async () => {
    server.delayMs = 60
    const job = await run({})
    expect(job.status).toBe('done')
    expect(job.done).toBe(N)
    for (const i of [0, 1, 2, 11]) {
      expect(await zhOf(i)).toMatchObject({
        text: zhCaption(i),
        source: `endpoint:loopback:${MODEL}:hunyuan-zh`
      })
    }
    expect([...answered().values()]).toEqual(Array<number>(N).fill(1))
    expect(server.peakInFlight).toBe(3)
    const req = server.chatRequests()[0]!
    expect(req.shapeErrors).toEqual([])
    expect(req.headers.authorization).toBe(`Bearer ${KEY}`)
    expect(req.prompt).toBe('描述这张图片')
    expect(req.body).toMatchObject({ model: MODEL, temperature: 0, seed: 42, max_tokens: 256 })
    // the key is nowhere in the library, nor in the job as the API shows it
    expect(JSON.stringify(await core.call('jobs.get', { id: job.id }))).not.toContain(KEY)
    expect(libraryBytesContain(core.libraryFile, KEY)).toBe(false)

    const records = await core.call('caption.prompts', { imageId: idOfWidth.get(width(0))! })
    expect(records).toMatchObject([
      { lang: 'zh', prompt: '描述这张图片', rendered: null, current: true, knowledge: [] }
    ])
    const history = await core.call('history.list', {})
    expect(history[0]).toMatchObject({
      label: 'Caption with loopback (hunyuan-zh, zh)',
      items: N
    })

    // again: every image is skipped, nothing is sent
    server.reset()
    const again = await run({})
    expect((await core.call('jobs.get', { id: again.id })).items).toMatchObject({
      skipped: N,
      done: 0
    })
    expect(server.chatRequests()).toHaveLength(0)

    await core.call('history.undo', {})
    expect(await zhOf(0)).toBeNull()
  })

  it('the knowledge prompt carries the glossary entry assigned to an image; structured answers become fields', async () => {
    const entry = await core.call('glossary.save', {
      datasetId,
      entry: { kind: 'landmark', name: { zh: '广州塔', en: 'Canton Tower' } }
    })
    await core.call('glossary.assign', {
      entryId: entry.id,
      imageIds: [idOfWidth.get(width(0))!],
      assigned: true
    })
    const job = await run({ preset: 'hunyuan-insert' })
    expect(job.status).toBe('done')
    const prompts = new Map(server.chatRequests().map((r) => [r.image!.width, r.prompt]))
    expect(prompts.get(width(0))).toBe('根据提示词\u201c广州塔\u201d,描述这张图片')
    expect(prompts.get(width(1))).toBe('描述这张图片')
    expect((await zhOf(0))!.text).toContain('广州塔')

    server.reset()
    const structured = await run({ preset: 'structured-en' })
    expect(structured.status).toBe('done')
    const img = await core.call('images.get', { id: idOfWidth.get(width(0))! })
    expect(img.captions.en?.fields).toEqual({
      subject: 'a red square',
      composition: `${width(0)}x48 frame`
    })
    expect(server.chatRequests()[0]!.body).toMatchObject({ max_tokens: 512 })
    expect(server.chatRequests().find((r) => r.image!.width === width(0))!.prompt).toMatch(
      /Known about this image: Canton Tower$/
    )
    await core.call('history.undo', {})
    await core.call('history.undo', {})
  })

  it('per-image failures are recorded with the file named, retried 5xx succeed, the job carries on', async () => {
    server.addFault({ fault: { type: 'malformed' }, when: (r) => r.image?.width === width(1) })
    server.addFault({ fault: { type: 'empty-choices' }, when: (r) => r.image?.width === width(2) })
    server.addFault({
      fault: { type: 'status', status: 500 },
      times: 2,
      when: (r) => r.image?.width === width(3)
    })
    const job = await run({ redo: true })
    expect(job.status).toBe('done')
    expect(job.failed).toBe(2)
    expect(job.done).toBe(N - 2)
    const errors = (await core.call('jobs.errors', { id: job.id })).items.map((e) => e.error)
    expect(errors).toHaveLength(2)
    expect(errors.some((e) => e.includes('img-01.png'))).toBe(true)
    expect(errors.some((e) => e.includes('img-02.png'))).toBe(true)
    expect((await zhOf(3))!.text).toBe(zhCaption(3))
    await core.call('history.undo', {})
  })

  it('a refused key fails the job with a sentence; with the key fixed, resume sends no stored image again', async () => {
    process.env[ENV] = 'sk-wrong-key-000000000000'
    const job = await run({})
    expect(job.status).toBe('failed')
    expect(job.error).toMatch(
      /refused the API key from the environment variable GLOSSA_TEST_ENDPOINT_KEY/
    )
    expect(job.error).not.toContain('sk-wrong')
    const info = await core.call('jobs.get', { id: job.id })
    expect(info.items!.pending).toBe(N)

    process.env[ENV] = KEY
    await core.call('jobs.resume', { id: job.id })
    const done = await core.waitForJob(job.id)
    expect(done.status).toBe('done')
    expect([...answered().values()]).toEqual(Array<number>(N).fill(1))
    await core.call('history.undo', {})
  })

  it('an unset key variable fails the job naming the variable', async () => {
    delete process.env[ENV]
    const job = await run({})
    expect(job.status).toBe('failed')
    expect(job.error).toMatch(/environment variable GLOSSA_TEST_ENDPOINT_KEY, which is not set/)
    expect(server.chatRequests()).toHaveLength(0)
  })

  it('rate limiting past the retries interrupts the job; resume finishes it', async () => {
    server.addFault({ fault: { type: 'status', status: 429, retryAfter: '0' }, times: 1000 })
    const job = await run({})
    expect(job.status).toBe('interrupted')
    expect(job.error).toMatch(/429|rate/i)
    // nothing was stored: a request the client gave up on may still reach the server and be
    // answered after the faults are cleared, so count images, not answers
    for (let i = 0; i < N; i++) expect(await zhOf(i)).toBeNull()
    server.clearFaults()
    await core.call('jobs.resume', { id: job.id })
    expect((await core.waitForJob(job.id)).status).toBe('done')
    expect(answered().size).toBe(N)
    for (let i = 0; i < N; i++) expect((await zhOf(i))!.text).toBe(zhCaption(i))
    await core.call('history.undo', {})
  })

  it('cancel keeps the captions already stored and aborts the requests in flight', async () => {
    server.delayMs = 300
    const { jobId } = await core.call('caption.start', {
      target: { datasetId },
      modelId: 'loopback',
      preset: 'hunyuan-zh'
    })
    // cancel once a caption is stored while the next requests are at the server
    for (;;) {
      const j = await core.call('jobs.get', { id: jobId })
      if ((j.items?.done ?? 0) > 0 && server.inFlight > 0) break
      expect(['queued', 'running']).toContain(j.status)
      await sleep(5)
    }
    await core.call('jobs.cancel', { id: jobId })
    const job = await core.waitForJob(jobId)
    expect(job.status).toBe('cancelled')
    const info = await core.call('jobs.get', { id: jobId })
    expect(info.items!.done).toBeGreaterThan(0)
    expect(info.items!.pending).toBeGreaterThan(0)
    const storedAtCancel = new Set<number>()
    for (let i = 0; i < N; i++) if (await zhOf(i)) storedAtCancel.add(width(i))
    expect(storedAtCancel.size).toBe(info.items!.done)
    // the requests in flight were abandoned: the server saw the client hang up
    while (server.inFlight > 0) await sleep(5)
    expect(server.chatRequests().some((r) => r.aborted)).toBe(true)
    // resume finishes the rest; images stored before the cancel are not sent again
    server.reset()
    server.delayMs = 0
    await core.call('jobs.resume', { id: jobId })
    expect((await core.waitForJob(jobId)).status).toBe('done')
    const resent = server.chatRequests().filter((r) => storedAtCancel.has(r.image!.width))
    expect(resent).toEqual([])
    expect(answered().size).toBe(N - storedAtCancel.size)
    await core.call('history.undo', {})
  })
})

describe('kill and resume', () => {
  function storedWidths(file: string): Set<number> {
    const db = new Database(file, { readonly: true })
    try {
      return new Set(
        (
          db
            .prepare(
              `SELECT i.width FROM captions c JOIN images i ON i.id = c.image_id
                WHERE c.source = ? AND c.lang = 'zh'`
            )
            .all(`endpoint:loopback:${MODEL}:hunyuan-zh`) as { width: number }[]
        ).map((r) => r.width)
      )
    } finally {
      db.close()
    }
  }

  it('a SIGKILLed run, resumed, captions every image once and never resends a stored one', async () => {
    const dataDir = core.dataDir
    const libraryFile = core.libraryFile
    await core.close()
    server.delayMs = 150
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(REPO, 'test/fixtures/endpoint-caption-child.ts'),
        dataDir,
        String(datasetId),
        'loopback'
      ],
      { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, [ENV]: KEY } }
    )
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    let exitCode: number | null | undefined
    const exited = new Promise<void>((resolve) =>
      child.on('exit', (c) => {
        exitCode = c
        resolve()
      })
    )
    let atKill = new Set<number>()
    for (;;) {
      if (exitCode !== undefined) throw new Error(`child exited (${exitCode}) early: ${stderr}`)
      try {
        atKill = storedWidths(libraryFile)
      } catch {
        atKill = new Set()
      }
      if (atKill.size >= 2 && atKill.size < N) break
      await sleep(5)
    }
    child.kill('SIGKILL')
    await exited
    expect(child.signalCode).toBe('SIGKILL')
    const stored = storedWidths(libraryFile)
    expect(stored.size).toBeLessThan(N)

    const sentBefore = server.chatRequests().length
    server.delayMs = 0
    core = createCore({ dataDir })
    const job = (await core.call('jobs.list', { status: ['interrupted'] })).find(
      (j) => j.kind === 'caption'
    )!
    expect(job).toBeDefined()
    expect(JSON.stringify(job.params)).not.toContain(KEY)
    await core.call('jobs.resume', { id: job.id })
    expect((await core.waitForJob(job.id)).status).toBe('done')
    expect(storedWidths(libraryFile).size).toBe(N)
    // after the restart, no request went out for an image whose caption was stored
    const resent = server
      .chatRequests()
      .slice(sentBefore)
      .map((r) => r.image!.width)
      .filter((w) => stored.has(w))
    expect(resent).toEqual([])
    // one batch for the whole run, one journal entry per image
    const history = await core.call('history.list', {})
    expect(history[0]).toMatchObject({ label: 'Caption with loopback (hunyuan-zh, zh)', items: N })
    await core.call('history.undo', {})
  }, 120_000)
})

describe('keys kept by the desktop app (keychain store)', () => {
  it('a stored key captions, never reaches the library or the key file in the clear', async () => {
    const keyFile = path.join(tmp, 'electron', 'endpoint-keys.json')
    const store = new EndpointKeyStore(keyFile, testKeychain())
    const desk = createCore({ dataDir: path.join(tmp, 'desk'), keyStore: store })
    try {
      const imp = await desk.call('import.start', {
        dir: path.join(tmp, 'shapes'),
        datasetName: 'shapes'
      })
      expect((await desk.waitForJob(imp.jobId)).status).toBe('done')
      await desk.call('models.endpointSave', {
        endpoint: { name: 'vault', url: server.origin, model: MODEL }
      })
      expect((await desk.call('models.status', {})).keyStorage).toBe(true)
      // no key yet: the server says so and the job fails with that sentence
      const noKey = await desk.call('caption.start', {
        target: { datasetId: imp.datasetId },
        modelId: 'vault'
      })
      const failed = await desk.waitForJob(noKey.jobId)
      expect(failed.status).toBe('failed')
      expect(failed.error).toMatch(/requires an API key/)

      await desk.call('models.endpointKey', { id: 'vault', key: KEY })
      const m = (await desk.call('models.list', {})).find((x) => x.id === 'vault')!
      expect(m.endpoint).toMatchObject({ keyStored: true, keyAvailable: true, keyEnv: null })
      expect(JSON.stringify(m)).not.toContain(KEY)
      server.reset()
      await desk.call('jobs.resume', { id: noKey.jobId })
      expect((await desk.waitForJob(noKey.jobId)).status).toBe('done')
      expect(server.chatRequests()[0]!.headers.authorization).toBe(`Bearer ${KEY}`)
      expect(fs.readFileSync(keyFile, 'utf8')).not.toContain(KEY)
      expect(libraryBytesContain(desk.libraryFile, KEY)).toBe(false)

      // removing the endpoint forgets its key
      await desk.call('models.remove', { id: 'vault' })
      expect(store.has('vault')).toBe(false)
    } finally {
      await desk.close()
    }
  }, 60_000)
})
