import sharp, { type Sharp } from 'sharp'

/**
 * Windows BMP. libvips (as bundled with sharp) has no BMP loader, so Glossa decodes the common
 * uncompressed kinds itself — 1/4/8-bit paletted, 16-bit 5-5-5, 24-bit and 32-bit (BI_RGB or
 * BI_BITFIELDS) — into raw pixels that sharp then handles like any other image. RLE-compressed
 * BMPs are reported as unsupported.
 */
export interface BmpHeader {
  width: number
  height: number
  topDown: boolean
  bpp: number
  compression: number
  dataOffset: number
  headerSize: number
}

export function isBmp(buf: Uint8Array): boolean {
  return buf.length >= 2 && buf[0] === 0x42 && buf[1] === 0x4d
}

export function readBmpHeader(buf: Buffer): BmpHeader {
  if (buf.length < 26) throw new Error('BMP: file too short for its header')
  const dataOffset = buf.readUInt32LE(10)
  const headerSize = buf.readUInt32LE(14)
  if (headerSize === 12) {
    return {
      width: buf.readUInt16LE(18),
      height: buf.readUInt16LE(20),
      topDown: false,
      bpp: buf.readUInt16LE(24),
      compression: 0,
      dataOffset,
      headerSize
    }
  }
  if (headerSize < 40 || buf.length < 54) throw new Error(`BMP: unknown header size ${headerSize}`)
  const h = buf.readInt32LE(22)
  return {
    width: buf.readInt32LE(18),
    height: Math.abs(h),
    topDown: h < 0,
    bpp: buf.readUInt16LE(28),
    compression: buf.readUInt32LE(30),
    dataOffset,
    headerSize
  }
}

function maskShift(mask: number): { shift: number; max: number } {
  if (mask === 0) return { shift: 0, max: 0 }
  let shift = 0
  while (((mask >>> shift) & 1) === 0) shift++
  return { shift, max: mask >>> shift }
}

/** Decodes a BMP into a sharp pipeline over its raw RGB/RGBA pixels. */
export function bmpToSharp(buf: Buffer, limitInputPixels: number): Sharp {
  const hd = readBmpHeader(buf)
  const { width, height, bpp, compression } = hd
  if (width <= 0 || height <= 0) throw new Error(`BMP: bad dimensions ${width}×${height}`)
  if (width * height > limitInputPixels) throw new Error('Input image exceeds pixel limit')
  if (compression !== 0 && compression !== 3 && compression !== 6)
    throw new Error(`BMP: compression method ${compression} (RLE) is not supported`)
  const stride = Math.ceil((width * bpp) / 32) * 4
  if (hd.dataOffset + stride * height > buf.length)
    throw new Error('BMP: premature end of pixel data (file truncated)')
  const palOffset = 14 + hd.headerSize
  const palEntry = hd.headerSize === 12 ? 3 : 4
  let masks: [number, number, number, number] | null = null
  if (compression === 3 || compression === 6) {
    const at = hd.headerSize >= 52 ? 54 : palOffset
    masks = [buf.readUInt32LE(at), buf.readUInt32LE(at + 4), buf.readUInt32LE(at + 8), 0]
    if (hd.headerSize >= 56 || compression === 6) masks[3] = buf.readUInt32LE(at + 12)
  } else if (bpp === 16) masks = [0x7c00, 0x03e0, 0x001f, 0]
  const hasAlpha = (bpp === 32 && masks !== null && masks[3] !== 0) || false
  const channels = hasAlpha ? 4 : 3
  const out = Buffer.alloc(width * height * channels)
  const ms = masks?.map(maskShift)
  for (let y = 0; y < height; y++) {
    const src = hd.dataOffset + (hd.topDown ? y : height - 1 - y) * stride
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * channels
      let r = 0
      let g = 0
      let b = 0
      let a = 255
      if (bpp === 24 || (bpp === 32 && !masks)) {
        const p = src + x * (bpp / 8)
        b = buf[p]!
        g = buf[p + 1]!
        r = buf[p + 2]!
      } else if ((bpp === 32 || bpp === 16) && masks && ms) {
        const v = bpp === 32 ? buf.readUInt32LE(src + x * 4) : buf.readUInt16LE(src + x * 2)
        const ch = ms.map((m, i) =>
          m.max ? Math.round((((v & masks[i]!) >>> m.shift) * 255) / m.max) : 255
        )
        ;[r, g, b, a] = ch as [number, number, number, number]
      } else if (bpp === 8 || bpp === 4 || bpp === 1) {
        const bit = x * bpp
        const byte = buf[src + (bit >> 3)]!
        const idx = (byte >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1)
        const p = palOffset + idx * palEntry
        b = buf[p] ?? 0
        g = buf[p + 1] ?? 0
        r = buf[p + 2] ?? 0
      } else throw new Error(`BMP: ${bpp} bits per pixel is not supported`)
      out[o] = r
      out[o + 1] = g
      out[o + 2] = b
      if (hasAlpha) out[o + 3] = a
    }
  }
  return sharp(out, { raw: { width, height, channels }, limitInputPixels })
}
