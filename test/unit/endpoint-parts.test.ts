/**
 * The endpoint's self-contained parts: the stored definition (URL normalisation, keys refused),
 * Retry-After parsing and jitter, the request pool (limit, pause gate, priority, abort), the
 * lazy bounded loop, and image preparation with real sharp (EXIF rotation, max side, alpha,
 * format choice).
 */
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import {
  ApiKey,
  backoffDelay,
  forEachBounded,
  ImagePrepareError,
  normaliseBaseUrl,
  parseEndpointDefinition,
  parseRetryAfter,
  prepareImage,
  redact,
  RequestPool,
  resolveApiKey,
  retryDelay,
  toDataUrl
} from '../../src-main/core/captioning/endpoint'

const headers = (h: Record<string, string>): { get(n: string): string | null } => ({
  get: (n) => h[n.toLowerCase()] ?? null
})
const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms))

describe('endpoint definition', () => {
  it('normalises base URLs: no path gets /v1, pasted suffixes and slashes go, other paths stay', () => {
    expect(normaliseBaseUrl('http://localhost:11434')).toBe('http://localhost:11434/v1')
    expect(normaliseBaseUrl('http://localhost:11434/')).toBe('http://localhost:11434/v1')
    expect(normaliseBaseUrl(' http://gpu:8000/v1/ ')).toBe('http://gpu:8000/v1')
    expect(normaliseBaseUrl('http://gpu:8080/v1/chat/completions')).toBe('http://gpu:8080/v1')
    expect(normaliseBaseUrl('http://gpu:8080/v1/models')).toBe('http://gpu:8080/v1')
    expect(normaliseBaseUrl('https://openrouter.ai/api/v1')).toBe('https://openrouter.ai/api/v1')
    expect(normaliseBaseUrl('https://generativelanguage.googleapis.com/v1beta/openai/')).toBe(
      'https://generativelanguage.googleapis.com/v1beta/openai'
    )
    expect(() => normaliseBaseUrl('localhost:8000')).toThrow(/http/)
    expect(() => normaliseBaseUrl('ftp://x/v1')).toThrow(/http:\/\/ or https:\/\//)
    expect(() => normaliseBaseUrl('http://user:pw@x/v1')).toThrow(/--key-env/)
    expect(() => normaliseBaseUrl('http://x/v1?key=abc')).toThrow(/query string/)
  })

  it('applies defaults and keeps only the name of the key variable', () => {
    const d = parseEndpointDefinition({
      name: 'vllm-box',
      url: 'http://gpu:8000',
      model: 'Qwen/Qwen2.5-VL-7B-Instruct',
      keyEnv: 'GLOSSA_VLLM_KEY'
    })
    expect(d).toEqual({
      name: 'vllm-box',
      url: 'http://gpu:8000/v1',
      model: 'Qwen/Qwen2.5-VL-7B-Instruct',
      keyEnv: 'GLOSSA_VLLM_KEY',
      keyHeader: 'authorization',
      concurrency: 4,
      maxSide: 1024,
      imageFormat: 'auto',
      timeoutMs: 120_000,
      idleTimeoutMs: 60_000,
      stream: false,
      maxTokensField: 'max_tokens'
    })
  })

  it('refuses keys, credential headers and out-of-range settings with sentences', () => {
    const base = { name: 'e', url: 'http://h/v1', model: 'm' }
    const msg = (input: unknown): string => {
      try {
        parseEndpointDefinition(input)
        return 'accepted'
      } catch (err) {
        return (err as Error).message
      }
    }
    expect(msg({ ...base, apiKey: 'sk-1' })).toMatch(/never stores its API key/)
    expect(msg({ ...base, key: 'sk-1' })).toMatch(/keyEnv/)
    expect(msg({ ...base, headers: { Authorization: 'Bearer x' } })).toMatch(/set by Glossa/)
    expect(msg({ ...base, headers: { 'X-Goog-Api-Key': 'x' } })).toMatch(/looks like a credential/)
    expect(msg({ ...base, headers: { 'X-Title': 'Glossa' } })).toBe('accepted')
    expect(msg({ ...base, keyEnv: 'lower_case' })).toMatch(/environment variable name/)
    expect(msg({ ...base, keyEnv: '1ABC' })).toMatch(/environment variable name/)
    expect(msg({ ...base, concurrency: 0 })).not.toBe('accepted')
    expect(msg({ ...base, concurrency: 65 })).not.toBe('accepted')
    expect(msg({ ...base, maxSide: 63 })).not.toBe('accepted')
    expect(msg({ ...base, maxSide: 4097 })).not.toBe('accepted')
    expect(msg({ ...base, name: 'has:colon' })).toMatch(/no colon/)
    expect(msg({ ...base, url: 'http://h/v1?api_key=1' })).toMatch(/query string/)
    expect(msg({ ...base, somethingElse: 1 })).not.toBe('accepted')
  })

  it('resolves the key from the named variable, and says which variable is unset', () => {
    const def = { name: 'e', keyEnv: 'GLOSSA_TEST_KEY' }
    expect(resolveApiKey({ name: 'e' }, {})).toBeNull()
    expect(resolveApiKey(def, { GLOSSA_TEST_KEY: 'sk-abc' })?.reveal()).toBe('sk-abc')
    expect(() => resolveApiKey(def, {})).toThrow(/GLOSSA_TEST_KEY, which is not set/)
    expect(() => resolveApiKey(def, { GLOSSA_TEST_KEY: '  ' })).toThrow(/not set/)
  })

  it('an ApiKey prints, serialises and inspects as [redacted]', async () => {
    const { inspect } = await import('node:util')
    const k = new ApiKey('sk-live-0123456789abcdef')
    expect(String(k)).toBe('[redacted]')
    expect(JSON.stringify({ k })).toBe('{"k":"[redacted]"}')
    expect(inspect({ k })).not.toContain('0123456789')
    expect(`${k}`).toBe('[redacted]')
  })

  it('redacts the key, long fragments of it and bearer tokens from server text', () => {
    const k = new ApiKey('sk-live-0123456789abcdefXYZ')
    expect(redact('Incorrect API key provided: sk-live-0123456789abcdefXYZ.', k)).toBe(
      'Incorrect API key provided: [redacted].'
    )
    expect(redact('key sk-live-01234*****defXYZ refused', k)).not.toMatch(/sk-live-01234/)
    expect(redact('header was Bearer abc.def', null)).toBe('header was Bearer [redacted]')
  })
})

describe('Retry-After and backoff', () => {
  it('reads delay-seconds, HTTP-dates and retry-after-ms', () => {
    const now = Date.parse('2025-01-01T00:00:00Z')
    expect(parseRetryAfter(headers({ 'retry-after': '2' }), now)).toBe(2000)
    expect(parseRetryAfter(headers({ 'retry-after': '0.5' }), now)).toBe(500)
    expect(parseRetryAfter(headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:07 GMT' }), now)).toBe(
      7000
    )
    expect(parseRetryAfter(headers({ 'retry-after': 'Tue, 31 Dec 2024 23:59:00 GMT' }), now)).toBe(
      0
    )
    expect(parseRetryAfter(headers({ 'retry-after-ms': '1500', 'retry-after': '9' }), now)).toBe(
      1500
    )
    expect(parseRetryAfter(headers({ 'retry-after': 'soon' }), now)).toBeNull()
    expect(parseRetryAfter(headers({}), now)).toBeNull()
  })

  it('full jitter stays within the capped exponential envelope', () => {
    const policy = { baseDelayMs: 100, maxDelayMs: 1000 }
    expect(backoffDelay(0, policy, () => 0.999)).toBe(99)
    expect(backoffDelay(3, policy, () => 0.999)).toBe(799)
    expect(backoffDelay(10, policy, () => 0.999)).toBe(999)
    expect(backoffDelay(10, policy, () => 0)).toBe(0)
  })

  it('a server-named delay is never shortened, only lengthened by a little jitter', () => {
    const policy = { baseDelayMs: 100, maxDelayMs: 1000 }
    expect(retryDelay(2000, 0, policy, () => 0)).toBe(2000)
    expect(retryDelay(2000, 0, policy, () => 0.999)).toBeLessThanOrEqual(2200)
    expect(retryDelay(20_000, 0, policy, () => 0.999)).toBeLessThanOrEqual(21_000)
  })
})

describe('RequestPool', () => {
  it('never runs more than its concurrency, and reaches it', async () => {
    const pool = new RequestPool({ concurrency: 3 })
    let running = 0
    let peak = 0
    await Promise.all(
      Array.from({ length: 12 }, () =>
        pool.run(async () => {
          running++
          peak = Math.max(peak, running)
          await tick(5)
          running--
        })
      )
    )
    expect(peak).toBe(3)
    expect(pool.stats()).toMatchObject({ peakInFlight: 3, inFlight: 0, waiting: 0, started: 12 })
  })

  it('pauseFor holds every new start until the deadline; running tasks finish; retries go first', async () => {
    let clock = 1000
    const pool = new RequestPool({ concurrency: 2, now: () => clock })
    const order: string[] = []
    pool.pauseFor(50)
    const a = pool.run(async () => void order.push('first-a'))
    const b = pool.run(async () => void order.push('retry-b'), { priority: true })
    await tick(20)
    expect(order).toEqual([])
    expect(pool.stats().waiting).toBe(2)
    pool.pauseFor(10) // shorter: does not shorten the pause
    expect(pool.stats().pausedUntil).toBe(1050)
    clock = 1050
    await tick(60) // the real timer fires (≥ 50 ms), the clock says the pause is over
    await Promise.all([a, b])
    expect(order).toEqual(['retry-b', 'first-a'])
  })

  it('abort cancels running tasks through their signal and rejects waiting ones', async () => {
    const outer = new AbortController()
    const pool = new RequestPool({ concurrency: 1, signal: outer.signal })
    const running = pool.run(
      (signal) =>
        new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)))
    )
    const waiting = pool.run(async () => 'never')
    await tick()
    outer.abort(new Error('stop'))
    await expect(running).rejects.toThrow('stop')
    await expect(waiting).rejects.toThrow('stop')
    await expect(pool.run(async () => 1)).rejects.toThrow()
  })
})

describe('forEachBounded', () => {
  it('pulls lazily with at most `limit` pending, and stops at the first error', async () => {
    let pulled = 0
    async function* gen(): AsyncGenerator<number> {
      for (let i = 0; i < 100; i++) {
        pulled++
        yield i
      }
    }
    let active = 0
    let peak = 0
    const seen: number[] = []
    await expect(
      forEachBounded(gen(), 4, undefined, async (n) => {
        active++
        peak = Math.max(peak, active)
        await tick(2)
        active--
        seen.push(n)
        if (n === 9) throw new Error('boom at 9')
      })
    ).rejects.toThrow('boom at 9')
    expect(peak).toBe(4)
    expect(pulled).toBeLessThan(20)
    expect(active).toBe(0)
  })

  it('ends quietly when the signal aborts', async () => {
    const ac = new AbortController()
    const seen: number[] = []
    await forEachBounded([1, 2, 3, 4, 5, 6], 2, ac.signal, async (n) => {
      seen.push(n)
      if (n === 2) ac.abort()
      await tick(1)
    })
    expect(seen.length).toBeLessThan(6)
  })
})

/** A two-colour image: left half `left`, right half `right` (as stored). */
async function halves(
  width: number,
  height: number,
  left: [number, number, number],
  right: [number, number, number]
): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3)
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const c = x < width / 2 ? left : right
      raw.set(c, (y * width + x) * 3)
    }
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer()
}

async function pixel(img: Buffer, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(img).raw().toBuffer({ resolveWithObject: true })
  const o = (y * info.width + x) * info.channels
  return [...data.subarray(o, o + info.channels)]
}

describe('prepareImage', () => {
  const RED: [number, number, number] = [220, 30, 30]
  const BLUE: [number, number, number] = [30, 30, 220]

  it('applies EXIF orientation before resizing to the max side', async () => {
    // stored 400×200, left red / right blue; orientation 6 = rotate 90° clockwise to display,
    // so the displayed image is 200×400 with red on top
    const png = await halves(400, 200, RED, BLUE)
    const jpeg = await sharp(png).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer()
    expect((await sharp(jpeg).metadata()).orientation).toBe(6)
    const out = await prepareImage(jpeg, { maxSide: 100 })
    expect(out).toMatchObject({
      mime: 'image/jpeg',
      width: 50,
      height: 100,
      sourceWidth: 200,
      sourceHeight: 400
    })
    const meta = await sharp(out.bytes).metadata()
    expect(meta.orientation ?? 1).toBe(1) // metadata stripped; pixels already upright
    const top = await pixel(out.bytes, 25, 10)
    const bottom = await pixel(out.bytes, 25, 90)
    expect(top[0]!).toBeGreaterThan(150)
    expect(top[2]!).toBeLessThan(100)
    expect(bottom[2]!).toBeGreaterThan(150)
    expect(bottom[0]!).toBeLessThan(100)
  })

  it('never enlarges a small image', async () => {
    const png = await halves(50, 30, RED, BLUE)
    const out = await prepareImage(png, { maxSide: 1024, format: 'jpeg' })
    expect([out.width, out.height]).toEqual([50, 30])
  })

  it('flattens transparency onto white', async () => {
    const rgba = await sharp({
      create: { width: 40, height: 40, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } }
    })
      .png()
      .toBuffer()
    for (const format of ['auto', 'png', 'jpeg'] as const) {
      const out = await prepareImage(rgba, { maxSide: 64, format })
      const meta = await sharp(out.bytes).metadata()
      expect(meta.hasAlpha).toBe(false)
      const p = await pixel(out.bytes, 20, 20)
      expect(p.slice(0, 3).every((v) => v >= 250)).toBe(true)
    }
  })

  it('auto: JPEG for lossy sources and photo-like PNGs, PNG for flat lossless art', async () => {
    const flat = await halves(300, 300, RED, BLUE) // line-art-like: two flat colours
    expect((await prepareImage(flat, { maxSide: 256 })).mime).toBe('image/png')
    // photo-like: smooth gradients plus sensor-like noise
    const photo = Buffer.alloc(256 * 256 * 3)
    let seed = 12345
    for (let y = 0; y < 256; y++)
      for (let x = 0; x < 256; x++)
        for (let c = 0; c < 3; c++) {
          seed = (seed * 1103515245 + 12345) & 0x7fffffff
          const v = (c === 0 ? x : c === 1 ? y : (x + y) / 2) + ((seed >> 16) % 17) - 8
          photo[(y * 256 + x) * 3 + c] = Math.max(0, Math.min(255, v))
        }
    const photoPng = await sharp(photo, { raw: { width: 256, height: 256, channels: 3 } })
      .png()
      .toBuffer()
    expect((await prepareImage(photoPng, { maxSide: 256 })).mime).toBe('image/jpeg')
    const jpeg = await sharp(flat).jpeg().toBuffer()
    expect((await prepareImage(jpeg, { maxSide: 256 })).mime).toBe('image/jpeg')
    expect((await prepareImage(jpeg, { maxSide: 256, format: 'png' })).mime).toBe('image/png')
  })

  it('refuses bytes that are not an image with a reason', async () => {
    await expect(prepareImage(Buffer.from('not an image'), { maxSide: 64 })).rejects.toThrow(
      ImagePrepareError
    )
  })

  it('builds a data: URL that decodes back to the same bytes', async () => {
    const png = await halves(8, 8, RED, BLUE)
    const url = toDataUrl({ bytes: png, mime: 'image/png' })
    expect(url.startsWith('data:image/png;base64,')).toBe(true)
    expect(Buffer.from(url.slice(22), 'base64').equals(png)).toBe(true)
  })
})
