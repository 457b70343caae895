/**
 * The endpoint client and captioner against a LOOPBACK OpenAI-compatible server
 * (test/fixtures/openai-server.ts: real HTTP on 127.0.0.1, images decoded with real sharp).
 * Timing claims are checked on the server's own recorded timestamps (arrival of a retry vs the
 * end of the 429 that asked for it), never with wall-clock thresholds on the test.
 */
import { inspect } from 'node:util'
import sharp from 'sharp'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  ApiKey,
  buildChatBody,
  chatCaption,
  EndpointCaptioner,
  EndpointError,
  forEachBounded,
  listModels,
  parseEndpointDefinition,
  prepareImage,
  chatBodyBytes,
  testConnection,
  type CaptionOutcome,
  type Endpoint,
  type EndpointDefinition,
  type EndpointDefinitionInput
} from '../../src-main/core/captioning/endpoint'
import {
  captionFor,
  HUNYUAN_EN_PROMPT,
  HUNYUAN_ZH_PROMPT,
  startOpenAIServer,
  type FakeOpenAIServer
} from '../fixtures/openai-server'

const MODEL = 'glossa-test-vlm'
const KEY = 'sk-glossa-test-0123456789abcdefSECRET'
const FAST_RETRY = { baseDelayMs: 5, maxDelayMs: 20 }

let server: FakeOpenAIServer
let keyed: FakeOpenAIServer

beforeAll(async () => {
  server = await startOpenAIServer({ models: [MODEL, 'other-model'] })
  keyed = await startOpenAIServer({ models: [MODEL], apiKey: KEY })
})
afterAll(async () => {
  await server?.close()
  await keyed?.close()
})
beforeEach(() => {
  server.reset()
  server.delayMs = 0
  keyed.reset()
})

function def(over: Partial<EndpointDefinitionInput> = {}): EndpointDefinition {
  return parseEndpointDefinition({
    name: 'loopback',
    url: server.origin, // no /v1: normalisation adds it
    model: MODEL,
    ...over
  })
}

const COLOURS: Record<string, [number, number, number]> = {
  red: [220, 40, 40],
  green: [40, 180, 60],
  blue: [40, 70, 220],
  yellow: [230, 210, 40],
  purple: [140, 50, 170],
  orange: [240, 140, 30]
}

/** A flat-colour PNG; width and height make images distinguishable on the server. */
function solid(
  width: number,
  height: number,
  colour: keyof typeof COLOURS | [number, number, number]
): Promise<Buffer> {
  const [r, g, b] = typeof colour === 'string' ? COLOURS[colour]! : colour
  return sharp({ create: { width, height, channels: 3, background: { r, g, b } } })
    .png()
    .toBuffer()
}

/** Every way an error can be printed or shipped. */
function renderings(err: unknown): string[] {
  const e = err as Error & { details?: unknown; toJSON?: () => unknown }
  return [
    e.message,
    String(e),
    e.stack ?? '',
    JSON.stringify(e),
    JSON.stringify(e.details ?? null),
    JSON.stringify(e.toJSON?.() ?? null),
    inspect(e, { depth: 10, showHidden: true })
  ]
}

function expectNoKey(err: unknown, key = KEY): void {
  for (const text of renderings(err)) {
    expect(text).not.toContain(key)
    expect(text).not.toContain(key.slice(0, 14))
    expect(text).not.toContain(key.slice(-14))
  }
}

/** Polls `cond` (server-side bookkeeping that lags the client by a turn of the loop). */
async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 10))
}

async function catchErr(p: Promise<unknown>): Promise<EndpointError> {
  try {
    await p
  } catch (err) {
    expect(err).toBeInstanceOf(EndpointError)
    return err as EndpointError
  }
  throw new Error('expected a rejection')
}

describe('listModels and test connection', () => {
  it('lists the served models from a base URL given without /v1', async () => {
    const ep: Endpoint = { def: def(), apiKey: null }
    expect(ep.def.url).toBe(`${server.origin}/v1`)
    expect((await listModels(ep)).map((m) => m.id)).toEqual([MODEL, 'other-model'])
    expect(server.requests.at(-1)).toMatchObject({ method: 'GET', path: '/v1/models' })
    const report = await testConnection(ep)
    expect(report).toMatchObject({ ok: true, modelServed: true })
    expect(report.message).toMatch(/serves "glossa-test-vlm"/)
  })

  it('explains a model that is not served, a wrong path and a closed port in words', async () => {
    const wrongModel = await testConnection({ def: def({ model: 'qwen2.5vl:7b' }), apiKey: null })
    expect(wrongModel.ok).toBe(false)
    expect(wrongModel.message).toMatch(/"qwen2.5vl:7b" is not among the models it serves: glossa/)

    const wrongPath = await testConnection({
      def: def({ url: `${server.origin}/api` }),
      apiKey: null
    })
    expect(wrongPath.error?.kind).toBe('not-found')
    expect(wrongPath.message).toMatch(/404 Not Found .*check the base URL/)

    const closed = await startOpenAIServer()
    const url = closed.origin
    await closed.close()
    const refused = await testConnection({ def: def({ url }), apiKey: null })
    expect(refused.error?.kind).toBe('unreachable')
    expect(refused.message).toMatch(
      /nothing is listening at 127\.0\.0\.1:\d+ \(connection refused\)/
    )
  })

  it('a refused key: says so, names the variable, never shows the key', async () => {
    const wrong = new ApiKey('sk-wrong-key-9876543210zyxwvuSECRET')
    const report = await testConnection({
      def: def({ url: keyed.baseUrl, keyEnv: 'GLOSSA_LOOPBACK_KEY' }),
      apiKey: wrong
    })
    expect(report.error?.kind).toBe('auth')
    expect(report.message).toMatch(
      /refused the API key from the environment variable GLOSSA_LOOPBACK_KEY/
    )
    // the fixture echoes the key it was given in its 401 body
    expect(keyed.requests.at(-1)?.status).toBe(401)
    expectNoKey(report.error, wrong.reveal())
    expect(JSON.stringify(report)).not.toContain(wrong.reveal())
  })
})

describe('chatCaption: the request on the wire', () => {
  it('sends the prompt, the model, the sampling fields and a decodable, resized, upright image', async () => {
    // stored 300×150, EXIF orientation 6 → displayed 150×300; max side 100 → 50×100
    const stored = await sharp(await solid(300, 150, 'red'))
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer()
    const ep: Endpoint = {
      def: def({ url: keyed.baseUrl, keyEnv: 'GLOSSA_LOOPBACK_KEY', maxSide: 100 }),
      apiKey: new ApiKey(KEY)
    }
    const image = await prepareImage(stored, { maxSide: ep.def.maxSide })
    const r = await chatCaption(ep, {
      prompt: HUNYUAN_ZH_PROMPT,
      image,
      temperature: 0,
      seed: 42,
      maxTokens: 256
    })
    const rec = keyed.chatRequests().at(-1)!
    expect(rec.shapeErrors).toEqual([])
    expect(rec.headers.authorization).toBe(`Bearer ${KEY}`)
    expect(rec.headers['content-type']).toMatch(/application\/json/)
    expect(rec.image).toMatchObject({ width: 50, height: 100, format: 'jpeg', colour: 'red' })
    expect(rec.prompt).toBe(HUNYUAN_ZH_PROMPT)
    const body = rec.body as Record<string, unknown>
    expect(body).toMatchObject({ model: MODEL, temperature: 0, seed: 42, max_tokens: 256 })
    expect(body).not.toHaveProperty('stream')
    expect(body).not.toHaveProperty('max_completion_tokens')
    const content = (body.messages as { role: string; content: { type: string }[] }[])[0]!
    expect(content.role).toBe('user')
    expect(content.content.map((p) => p.type)).toEqual(['text', 'image_url'])
    expect(r.text).toBe(captionFor(HUNYUAN_ZH_PROMPT, rec.image!))
    expect(r.text).toBe('一张50x100的红色图片。')
    expect(r.finishReason).toBe('stop')
    expect(r.usage?.completionTokens).toBe(r.text.length)
  })

  it('writes the image into the JSON body bytes exactly as JSON.stringify would', async () => {
    const image = await prepareImage(await solid(30, 20, 'orange'), { maxSide: 64 })
    const d = def({ stream: true })
    const req = { prompt: '描述 "quoted" \u0000glossa:image\u0000 \\ text', image, seed: 7 }
    expect(chatBodyBytes(d, req).toString('utf8')).toBe(JSON.stringify(buildChatBody(d, req)))
  })

  it('sends no Authorization header without a key, and max_completion_tokens when configured', async () => {
    const ep: Endpoint = { def: def({ maxTokensField: 'max_completion_tokens' }), apiKey: null }
    const image = await prepareImage(await solid(64, 64, 'blue'), { maxSide: 64 })
    const r = await chatCaption(ep, { prompt: HUNYUAN_EN_PROMPT, image, maxTokens: 77 })
    const rec = server.chatRequests().at(-1)!
    expect(rec.headers).not.toHaveProperty('authorization')
    expect(rec.body).toMatchObject({ max_completion_tokens: 77 })
    expect(rec.body).not.toHaveProperty('max_tokens')
    expect(rec.body).not.toHaveProperty('temperature')
    expect(rec.body).not.toHaveProperty('seed')
    expect(r.text).toBe('A 64x64 blue picture.')
  })

  it('streaming gives the same text as a plain answer, with usage', async () => {
    const image = await prepareImage(await solid(80, 40, 'green'), { maxSide: 512 })
    const plain = await chatCaption(
      { def: def(), apiKey: null },
      { prompt: HUNYUAN_ZH_PROMPT, image }
    )
    const streamed = await chatCaption(
      { def: def({ stream: true }), apiKey: null },
      { prompt: HUNYUAN_ZH_PROMPT, image, maxTokens: 300 }
    )
    const rec = server.chatRequests().at(-1)!
    expect(rec.body).toMatchObject({ stream: true, stream_options: { include_usage: true } })
    expect(streamed.text).toBe(plain.text)
    expect(streamed.finishReason).toBe('stop')
    expect(streamed.usage).toEqual(plain.usage)
  })
})

describe('chatCaption: answers that are not captions', () => {
  const ep = (): Endpoint => ({ def: def(), apiKey: null })
  let image: Awaited<ReturnType<typeof prepareImage>>
  beforeAll(async () => {
    image = await prepareImage(await solid(32, 32, 'yellow'), { maxSide: 64 })
  })
  const call = (over: { stream?: boolean } = {}): Promise<unknown> =>
    chatCaption(ep(), { prompt: HUNYUAN_EN_PROMPT, image, maxTokens: 64, ...over })

  it.each([
    ['malformed', /not valid JSON/],
    ['empty-choices', /no choices/],
    ['empty-content', /empty caption/],
    ['html', /web page, not the API/]
  ] as const)('%s → a per-image bad-response with a sentence', async (type, sentence) => {
    server.addFault({ fault: { type }, times: 1 })
    const e = await catchErr(call())
    expect(e.kind).toBe('bad-response')
    expect(e.fatal).toBe(false)
    expect(e.retryable).toBe(false)
    expect(e.message).toMatch(sentence)
    expect(e.message).toMatch(/^endpoint "loopback" \(127\.0\.0\.1:\d+\): /)
  })

  it('a redirect is not followed (it could carry the key elsewhere) and names the target', async () => {
    server.addFault({
      fault: {
        type: 'status',
        status: 308,
        headers: { location: 'https://elsewhere.example/v1/chat/completions?x=1' }
      },
      times: 1
    })
    const e = await catchErr(call())
    expect(e.kind).toBe('config')
    expect(e.message).toMatch(
      /redirects \/chat\/completions \(HTTP 308\) to https:\/\/elsewhere\.example\/v1\/chat\/completions; .*base URL/
    )
  })

  it('a caption cut at the token limit succeeds with a warning', async () => {
    server.addFault({ fault: { type: 'length' }, times: 1 })
    const r = await chatCaption(ep(), { prompt: HUNYUAN_EN_PROMPT, image, maxTokens: 64 })
    expect(r.finishReason).toBe('length')
    expect(r.warnings[0]).toMatch(/cut off at the token limit \(64 tokens\)/)
  })

  it('a stream cut mid-answer is a retryable server error', async () => {
    server.addFault({ fault: { type: 'stream-cut' }, times: 1 })
    const e = await catchErr(call({ stream: true }))
    expect(e.kind).toBe('server')
    expect(e.retryable).toBe(true)
  })

  it.each([
    [
      400,
      {
        error: {
          message: 'image input is not supported - hint: you may need to provide the mmproj'
        }
      },
      'config',
      true
    ],
    [
      400,
      { error: 'request (4165 tokens) exceeds the available context size (4096 tokens)' },
      'bad-request',
      false
    ],
    [413, 'Payload Too Large', 'bad-request', false],
    [404, { error: { message: 'The model `x` does not exist.' } }, 'not-found', true],
    [
      429,
      { error: { message: 'You exceeded your current quota', code: 'insufficient_quota' } },
      'quota',
      true
    ],
    [403, { error: { message: 'forbidden' } }, 'auth', true],
    [502, 'Bad Gateway', 'server', false],
    [503, { error: { message: 'Loading model' } }, 'rate-limited', true]
  ] as const)('HTTP %i → %s', async (status, body, kind, fatal) => {
    server.addFault({ fault: { type: 'status', status, body }, times: 1 })
    const e = await catchErr(call())
    expect(e.kind).toBe(kind)
    expect(e.fatal).toBe(fatal)
    expect(e.status).toBe(status)
  })
})

describe('EndpointCaptioner', () => {
  async function images(n: number, colour: keyof typeof COLOURS = 'blue'): Promise<Buffer[]> {
    // distinct widths identify images on the server
    return Promise.all(Array.from({ length: n }, (_, i) => solid(40 + i, 30, colour)))
  }

  it('holds the concurrency limit exactly, and every image gets its own caption', async () => {
    server.delayMs = 40
    const c = new EndpointCaptioner(def({ concurrency: 4 }), { apiKey: null })
    const imgs = await images(24)
    const outcomes = await Promise.all(
      imgs.map((image) => c.caption({ image, prompt: HUNYUAN_EN_PROMPT }))
    )
    expect(outcomes.every((o) => o.ok)).toBe(true)
    expect(server.peakInFlight).toBe(4)
    expect(c.pool.stats().peakInFlight).toBe(4)
    expect(Math.max(...server.chatRequests().map((r) => r.inFlightAtArrival))).toBe(4)
    const texts = outcomes.map((o) => (o.ok ? o.text : ''))
    expect(texts).toEqual(imgs.map((_, i) => `A ${40 + i}x30 blue picture.`))
  })

  it('429 with Retry-After: the whole pool waits, the retry arrives no earlier than asked', async () => {
    server.delayMs = 150
    // the first request to arrive gets 429 + Retry-After: 1; the other two are in flight
    server.addFault({ fault: { type: 'status', status: 429, retryAfter: '1' }, times: 1 })
    const pauses: { at: number; delayMs: number }[] = []
    const c = new EndpointCaptioner(def({ concurrency: 3 }), {
      apiKey: null,
      // same process, same clock as the server's timestamps
      onEvent: (e) => {
        if (e.type === 'pause')
          pauses.push({ at: performance.timeOrigin + performance.now(), delayMs: e.delayMs })
      }
    })
    const imgs = await images(9, 'purple')
    const outcomes = await Promise.all(
      imgs.map((image) => c.caption({ image, prompt: HUNYUAN_EN_PROMPT }))
    )
    expect(outcomes.every((o) => o.ok)).toBe(true)
    expect(pauses).toHaveLength(1)
    expect(pauses[0]!.delayMs).toBeGreaterThanOrEqual(1000)
    const reqs = server.chatRequests()
    const limited = reqs.find((r) => r.status === 429)!
    expect(limited).toBeDefined()
    const retry = reqs.find(
      (r) => r.index > limited.index && r.image?.width === limited.image?.width
    )!
    expect(retry.status).toBe(200)
    expect(retry.arrivedAt - limited.endedAt!).toBeGreaterThanOrEqual(1000)
    // nothing else started while the pause was pending: every request that reached the server
    // after the client paused (allowing 50 ms for one already on the wire) came after the pause
    const pausedAt = pauses[0]!.at
    expect(pausedAt).toBeGreaterThanOrEqual(limited.endedAt!)
    const later = reqs.filter((r) => r.arrivedAt > pausedAt + 50)
    expect(later.length).toBeGreaterThanOrEqual(6)
    for (const r of later) expect(r.arrivedAt - pausedAt).toBeGreaterThanOrEqual(1000)
    const ok = outcomes.find((o, i) => imgs[i] && o.ok && o.attempts === 2)
    expect(ok).toBeDefined()
  })

  it('a hanging answer times out for that image while the others proceed', async () => {
    server.addFault({ fault: { type: 'hang' }, when: (r) => r.image?.colour === 'red' })
    const c = new EndpointCaptioner(def({ concurrency: 2, timeoutMs: 1000 }), {
      apiKey: null,
      retry: { ...FAST_RETRY, maxRetries: 1 }
    })
    const imgs = [...(await images(3)), await solid(50, 50, 'red'), ...(await images(3, 'green'))]
    const outcomes = await Promise.all(
      imgs.map((image) => c.caption({ image, prompt: HUNYUAN_EN_PROMPT }))
    )
    const failed = outcomes.filter((o): o is Extract<CaptionOutcome, { ok: false }> => !o.ok)
    expect(failed).toHaveLength(1)
    expect(outcomes[3]!.ok).toBe(false)
    expect(failed[0]!.error.kind).toBe('timeout')
    expect(failed[0]!.attempts).toBe(2)
    expect(failed[0]!.error.message).toMatch(/no complete answer within 1 s .*\(after 2 attempts\)/)
    const hung = server.chatRequests().filter((r) => r.fault === 'hang')
    expect(hung).toHaveLength(2)
    // the client hung up on both (the server sees the close a moment after the client gave up)
    await until(() => hung.every((r) => r.endedAt !== null))
    expect(hung.every((r) => r.aborted)).toBe(true)
    expect(outcomes.filter((o) => o.ok)).toHaveLength(6)
  })

  it('a burst of 500s is retried and then succeeds; past the budget the image fails and the job goes on', async () => {
    server.addFault({ fault: { type: 'status', status: 500 }, times: 3 })
    const c = new EndpointCaptioner(def({ concurrency: 1 }), { apiKey: null, retry: FAST_RETRY })
    const [a, b] = await images(2)
    const first = await c.caption({ image: a!, prompt: HUNYUAN_EN_PROMPT })
    expect(first).toMatchObject({ ok: true, attempts: 4 })

    server.addFault({ fault: { type: 'status', status: 500 }, times: 4 })
    const second = await c.caption({ image: b!, prompt: HUNYUAN_EN_PROMPT })
    expect(second.ok).toBe(false)
    if (!second.ok) {
      expect(second.error.kind).toBe('server')
      expect(second.error.message).toMatch(/HTTP 500.*\(after 4 attempts\)/)
    }
    const third = await c.caption({ image: a!, prompt: HUNYUAN_EN_PROMPT })
    expect(third.ok).toBe(true)
  })

  it('a connection reset is retried', async () => {
    server.addFault({ fault: { type: 'reset' }, times: 1 })
    const c = new EndpointCaptioner(def({ concurrency: 1 }), { apiKey: null, retry: FAST_RETRY })
    const [a] = await images(1)
    expect(await c.caption({ image: a!, prompt: HUNYUAN_EN_PROMPT })).toMatchObject({
      ok: true,
      attempts: 2
    })
  })

  it('malformed JSON and an empty choice fail only their image', async () => {
    server.addFault({
      fault: { type: 'malformed' },
      times: 1,
      when: (r) => r.image?.colour === 'red'
    })
    server.addFault({
      fault: { type: 'empty-choices' },
      times: 1,
      when: (r) => r.image?.colour === 'green'
    })
    const c = new EndpointCaptioner(def({ concurrency: 3 }), { apiKey: null, retry: FAST_RETRY })
    const imgs = [await solid(20, 20, 'red'), await solid(21, 20, 'green'), ...(await images(4))]
    const outcomes = await Promise.all(
      imgs.map((image) => c.caption({ image, prompt: HUNYUAN_EN_PROMPT }))
    )
    expect(outcomes.map((o) => o.ok)).toEqual([false, false, true, true, true, true])
    const [bad, empty] = outcomes as Extract<CaptionOutcome, { ok: false }>[]
    expect(bad!.error.message).toMatch(/not valid JSON/)
    expect(empty!.error.message).toMatch(/no choices/)
  })

  it('401 stops the job: one clear error for every caller, in-flight requests aborted, key never shown', async () => {
    keyed.delayMs = 0
    const wrong = new ApiKey('sk-wrong-0123456789abcdefghijSECRET')
    const c = new EndpointCaptioner(
      def({ url: keyed.origin, keyEnv: 'GLOSSA_LOOPBACK_KEY', concurrency: 2 }),
      { apiKey: wrong, retry: FAST_RETRY }
    )
    const imgs = await images(6)
    const settled = await Promise.allSettled(
      imgs.map((image) => c.caption({ image, prompt: HUNYUAN_EN_PROMPT }))
    )
    expect(settled.every((s) => s.status === 'rejected')).toBe(true)
    const errors = settled.map((s) => (s as PromiseRejectedResult).reason as EndpointError)
    expect(new Set(errors).size).toBe(1) // the same error object for everyone
    const e = errors[0]!
    expect(e.kind).toBe('auth')
    expect(e.fatal).toBe(true)
    expect(e.code).toBe('FORBIDDEN')
    expect(e.message).toMatch(
      /refused the API key from the environment variable GLOSSA_LOOPBACK_KEY \(HTTP 401\)/
    )
    expectNoKey(e, wrong.reveal())
    expect(c.fatal).toBe(e)
    // at most the first wave reached the server; nothing was sent after the 401
    expect(keyed.chatRequests().length).toBeLessThanOrEqual(2)
    await expect(c.caption({ image: imgs[0]!, prompt: 'x' })).rejects.toBe(e)
  })

  it('keys never appear in any error, whatever the failure', async () => {
    const key = new ApiKey(KEY)
    const errs: unknown[] = []
    const closed = await startOpenAIServer()
    await closed.close()
    const cases: [Partial<EndpointDefinitionInput>, (() => void) | null][] = [
      [{ url: closed.origin }, null],
      [{ timeoutMs: 1000 }, () => server.addFault({ fault: { type: 'hang' }, times: 1 })],
      [
        {},
        () =>
          server.addFault({
            fault: { type: 'status', status: 500, body: `boom Bearer ${KEY} ${KEY}` },
            times: 1
          })
      ],
      [
        {},
        () =>
          server.addFault({
            fault: { type: 'status', status: 400, body: { error: { message: `bad key ${KEY}` } } },
            times: 1
          })
      ],
      [{}, () => server.addFault({ fault: { type: 'malformed' }, times: 1 })]
    ]
    const image = await prepareImage(await solid(16, 16, 'orange'), { maxSide: 64 })
    for (const [over, arrange] of cases) {
      arrange?.()
      try {
        await chatCaption(
          { def: def({ keyEnv: 'K', ...over }), apiKey: key },
          { prompt: 'p', image }
        )
      } catch (err) {
        errs.push(err)
      }
    }
    expect(errs).toHaveLength(cases.length)
    for (const e of errs) expectNoKey(e)
    // the server really did receive the key (so the absence above is redaction, not luck)
    expect(server.chatRequests().some((r) => r.headers.authorization === `Bearer ${KEY}`)).toBe(
      true
    )
  })

  it('an unreachable server stops the job after its retries', async () => {
    const closed = await startOpenAIServer()
    await closed.close()
    const c = new EndpointCaptioner(def({ url: closed.origin }), {
      apiKey: null,
      retry: FAST_RETRY
    })
    const [a] = await images(1)
    const e = await catchErr(c.caption({ image: a!, prompt: 'p' }))
    expect(e.kind).toBe('unreachable')
    expect(e.fatal).toBe(true)
    expect(e.message).toMatch(/connection refused.*after 4 attempts.*job stopped/)
  })

  it('too many failed images in a row stop the job', async () => {
    server.addFault({ fault: { type: 'empty-content' } })
    const c = new EndpointCaptioner(def({ concurrency: 1 }), {
      apiKey: null,
      maxConsecutiveFailures: 3
    })
    const imgs = await images(5)
    const settled = []
    for (const image of imgs)
      settled.push(await c.caption({ image, prompt: 'p' }).catch((e: unknown) => e))
    expect(settled.slice(0, 2).every((s) => (s as CaptionOutcome).ok === false)).toBe(true)
    expect(settled[2]).toBeInstanceOf(EndpointError)
    expect((settled[2] as EndpointError).message).toMatch(/3 images failed in a row/)
    expect(server.chatRequests()).toHaveLength(3)
  })

  it('an unreadable image fails alone, before anything is sent', async () => {
    const c = new EndpointCaptioner(def(), { apiKey: null })
    const o = await c.caption({ image: Buffer.from('nope'), prompt: 'p' })
    expect(o.ok).toBe(false)
    if (!o.ok) expect(o.error.kind).toBe('image')
    expect(server.chatRequests()).toHaveLength(0)
  })

  it('cancel aborts in-flight requests, starts nothing new, and a resume sends only the unfinished images', async () => {
    server.delayMs = 300
    const imgs = await images(12, 'orange')
    const stored = new Map<number, string>() // image index → caption ("written to the library")
    const ac = new AbortController()
    const c = new EndpointCaptioner(def({ concurrency: 3 }), { apiKey: null, signal: ac.signal })
    let abortedAt = 0
    let startedAtAbort = 0
    const run = forEachBounded(imgs.keys(), 5, ac.signal, async (i) => {
      const o = await c.caption({ image: imgs[i]!, prompt: HUNYUAN_EN_PROMPT })
      if (o.ok) stored.set(i, o.text)
      if (stored.size === 3 && !abortedAt) {
        abortedAt = performance.timeOrigin + performance.now()
        ac.abort()
        startedAtAbort = c.pool.stats().started
      }
    })
    const e = await catchErr(run)
    expect(e.kind).toBe('cancelled')
    await new Promise((r) => setTimeout(r, 100))
    // nothing started after the abort (a request the pool had started just before it may still
    // reach the server a moment later, and is cut at once)
    expect(c.pool.stats().started).toBe(startedAtAbort)
    const first = server.chatRequests()
    expect(first.length).toBeLessThanOrEqual(startedAtAbort)
    await until(() => first.every((r) => r.endedAt !== null))
    expect(first.filter((r) => r.arrivedAt > abortedAt).every((r) => r.aborted)).toBe(true)
    const cut = first.filter((r) => r.aborted)
    expect(cut.length).toBeGreaterThan(0) // the in-flight ones were cancelled, not awaited
    expect(cut.every((r) => r.endedAt! - r.arrivedAt < server.delayMs)).toBe(true)
    expect(stored.size).toBeGreaterThanOrEqual(3)

    // resume: only images without a stored caption are sent
    server.reset()
    server.delayMs = 0
    const pending = [...imgs.keys()].filter((i) => !stored.has(i))
    const c2 = new EndpointCaptioner(def({ concurrency: 3 }), { apiKey: null })
    await forEachBounded(pending, 5, undefined, async (i) => {
      const o = await c2.caption({ image: imgs[i]!, prompt: HUNYUAN_EN_PROMPT })
      if (o.ok) stored.set(i, o.text)
    })
    expect(stored.size).toBe(12)
    const resent = server.chatRequests().map((r) => r.image!.width - 40)
    expect(resent.sort((a, b) => a - b)).toEqual(pending)
  })
})
