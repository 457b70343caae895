/**
 * `glossa models endpoint add|test`, `models ls` and `glossa caption --model NAME` as child
 * processes against the loopback OpenAI-compatible server: an endpoint is added and captioned
 * with like any model; the key comes from the variable --key-env names and appears nowhere in the
 * output, the JSON or the library.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliJson, readLibrary, runGlossa, type CliRun } from '../fixtures/cli'
import { startOpenAIServer, type FakeOpenAIServer } from '../fixtures/openai-server'

const KEY = 'sk-cli-endpoint-test-91b0c3d7e2'
const ENV = 'GLOSSA_CLI_TEST_KEY'
let tmp: string
let lib: string
let server: FakeOpenAIServer
const glossa = (args: string[]): Promise<CliRun> => runGlossa(args, { tmp, library: lib })

beforeAll(async () => {
  tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'glossa-cli-endpoint-'))
  lib = path.join(tmp, 'lib.sqlite')
  server = await startOpenAIServer({ models: ['qwen2.5vl:7b'], apiKey: KEY })
  // the child processes inherit the environment: the key reaches them only this way
  process.env[ENV] = KEY
  const src = path.join(tmp, 'squares')
  await fs.promises.mkdir(src)
  const colours = { red: '#dc2828', green: '#28b43c', blue: '#2846dc' }
  for (const [name, hex] of Object.entries(colours))
    await sharp({ create: { width: 80, height: 60, channels: 3, background: hex } })
      .jpeg()
      .toFile(path.join(src, `${name}.jpg`))
  const imported = await glossa(['import', src, '--dataset', 'squares'])
  expect(imported.code, imported.stderr).toBe(0)
}, 60_000)

afterAll(async () => {
  delete process.env[ENV]
  await server?.close()
  await fs.promises.rm(tmp, { recursive: true, force: true })
})

describe('glossa models endpoint', () => {
  it('adds an endpoint, lists it, tests it', async () => {
    const add = await glossa([
      'models',
      'endpoint',
      'add',
      'ollama-box',
      '--url',
      server.origin,
      '--model',
      'qwen2.5vl:7b',
      '--key-env',
      ENV,
      '--concurrency',
      '2',
      '--max-side',
      '512',
      '--test'
    ])
    expect(add.code, add.stderr).toBe(0)
    expect(add.stdout).toContain('Added endpoint "ollama-box"')
    expect(add.stderr).toMatch(/✓ connected to 127\.0\.0\.1:\d+; it serves "qwen2\.5vl:7b"/)

    const ls = await glossa(['models', 'ls', '--json'])
    expect(ls.code, ls.stderr).toBe(0)
    const models = cliJson<{ models: { id: string; kind: string; endpoint: unknown }[] }>(ls).models
    expect(models).toMatchObject([
      {
        id: 'ollama-box',
        kind: 'endpoint',
        endpoint: {
          url: `${server.origin}/v1`,
          model: 'qwen2.5vl:7b',
          keyEnv: ENV,
          concurrency: 2,
          maxSide: 512
        }
      }
    ])
    const human = await glossa(['models', 'ls'])
    expect(human.stdout).toMatch(
      /ollama-box\s+endpoint\s+endpoint, model qwen2\.5vl:7b, 2 in flight/
    )

    const test = await glossa(['models', 'endpoint', 'test', 'ollama-box', '--json'])
    expect(test.code).toBe(0)
    expect(cliJson(test)).toMatchObject({ ok: true, models: ['qwen2.5vl:7b'] })
    for (const r of [add, ls, human, test]) expect(r.stdout + r.stderr).not.toContain(KEY)
  }, 60_000)

  it('refuses a bad URL and a bad name with a sentence (exit 1)', async () => {
    const r = await glossa([
      'models',
      'endpoint',
      'add',
      'Bad:Name',
      '--url',
      'ftp://x',
      '--model',
      'm'
    ])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/no colon/)
    expect(r.stderr).toMatch(/must start with http:\/\/ or https:\/\//)
  }, 60_000)

  it('glossa caption --model NAME captions through the server', async () => {
    const r = await glossa([
      'caption',
      '--dataset',
      'squares',
      '--model',
      'ollama-box',
      '--preset',
      'hunyuan-en',
      '--json'
    ])
    expect(r.code, r.stderr).toBe(0)
    const out = cliJson<{ status: string; model: { kind: string }; counts: { captioned: number } }>(
      r
    )
    expect(out).toMatchObject({
      status: 'done',
      model: { kind: 'endpoint' },
      counts: { captioned: 3 }
    })
    const ls = cliJson<{ images: { fileName: string; en: string }[] }>(
      await glossa(['ls', '--dataset', 'squares', '--json'])
    )
    expect(Object.fromEntries(ls.images.map((i) => [i.fileName, i.en]))).toEqual({
      'blue.jpg': 'A 80x60 blue picture.',
      'green.jpg': 'A 80x60 green picture.',
      'red.jpg': 'A 80x60 red picture.'
    })
    const source = readLibrary(lib, (db) =>
      db.prepare(`SELECT DISTINCT source FROM captions WHERE lang = 'en'`).all()
    )
    expect(source).toEqual([{ source: 'endpoint:ollama-box:qwen2.5vl:7b:hunyuan-en' }])
    expect(r.stdout + r.stderr).not.toContain(KEY)
    expect(fs.readFileSync(lib).includes(Buffer.from(KEY))).toBe(false)
  }, 60_000)

  it('a missing key variable fails the run with its name, exit 1', async () => {
    const r = await runGlossa(
      ['caption', '--dataset', 'squares', '--model', 'ollama-box', '--preset', 'hunyuan-zh'],
      { tmp, library: lib }
    )
    expect(r.code).toBe(0) // the variable is set: this run works …
    delete process.env[ENV]
    try {
      const bad = await glossa([
        'caption',
        '--dataset',
        'squares',
        '--model',
        'ollama-box',
        '--preset',
        'hunyuan-zh',
        '--redo'
      ])
      expect(bad.code).toBe(1)
      expect(bad.stderr).toMatch(new RegExp(`environment variable ${ENV}, which is not set`))
    } finally {
      process.env[ENV] = KEY
    }
  }, 60_000)
})
