/**
 * 64-bit DCT perceptual hash (the classic pHash, as in the `imagehash` library): the image,
 * EXIF-oriented and flattened onto white, is reduced to 32×32 greyscale; a 2-D DCT-II is taken and
 * its top-left 8×8 block (the lowest frequencies, DC included) is compared with its median: bit
 * = coefficient > median, row-major, most significant bit first. Stored as 16 hex digits.
 *
 * Resizing and re-encoding barely move the low frequencies, so copies land within a few bits;
 * different images differ in about half of them. Only the 8×8 block is computed (a separable
 * transform with a precomputed cosine table: 32·8·32 + 8·8·32 multiply-adds).
 */
import sharp from 'sharp'

const N = 32
const K = 8

/** COS[u * N + x] = cos((2x + 1) u π / 2N) */
const COS = (() => {
  const t = new Float64Array(K * N)
  for (let u = 0; u < K; u++)
    for (let x = 0; x < N; x++) t[u * N + x] = Math.cos(((2 * x + 1) * u * Math.PI) / (2 * N))
  return t
})()

/** The hash of 32×32 greyscale pixels (row-major, 1024 bytes). */
export function phashFromPixels(px: Uint8Array | Buffer): string {
  if (px.length !== N * N) throw new Error(`expected ${N * N} pixels, got ${px.length}`)
  // rows: R[y][u] = Σx px[y][x] cos(u, x)
  const rows = new Float64Array(N * K)
  for (let y = 0; y < N; y++)
    for (let u = 0; u < K; u++) {
      let s = 0
      for (let x = 0; x < N; x++) s += px[y * N + x]! * COS[u * N + x]!
      rows[y * K + u] = s
    }
  // columns: D[v][u] = Σy R[y][u] cos(v, y)
  const d = new Float64Array(K * K)
  for (let v = 0; v < K; v++)
    for (let u = 0; u < K; u++) {
      let s = 0
      for (let y = 0; y < N; y++) s += rows[y * K + u]! * COS[v * N + y]!
      d[v * K + u] = s
    }
  const sorted = Array.from(d).sort((a, b) => a - b)
  const median = (sorted[31]! + sorted[32]!) / 2
  let hi = 0
  let lo = 0
  for (let i = 0; i < 32; i++) hi = (hi << 1) | (d[i]! > median ? 1 : 0)
  for (let i = 32; i < 64; i++) lo = (lo << 1) | (d[i]! > median ? 1 : 0)
  return (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0')
}

/** The perceptual hash of an image file (sharp's async pipeline; never blocks the loop). */
export async function phashFile(file: string): Promise<string> {
  const px = await sharp(file, { failOn: 'none', limitInputPixels: false })
    .rotate()
    .flatten({ background: '#ffffff' })
    .greyscale()
    .resize(N, N, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer()
  // greyscale() may still deliver one channel per pixel only after the colourspace conversion
  if (px.length === N * N) return phashFromPixels(px)
  const ch = px.length / (N * N)
  const g = new Uint8Array(N * N)
  for (let i = 0; i < N * N; i++) g[i] = px[i * ch]!
  return phashFromPixels(g)
}

/** Popcount of a 32-bit integer. */
export function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555)
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333)
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24
}

/** Hamming distance of two 16-hex-digit hashes. */
export function hamming(a: string, b: string): number {
  return (
    popcount32(parseInt(a.slice(0, 8), 16) ^ parseInt(b.slice(0, 8), 16)) +
    popcount32(parseInt(a.slice(8), 16) ^ parseInt(b.slice(8), 16))
  )
}
