import { describe, expect, it } from 'vitest'
import { packRgbBatch, rgbToBgrFloat } from '../../src-main/core/captioning/inference/tensor'

describe('rgbToBgrFloat', () => {
  it('swaps R and B into float 0–255, filling a reused buffer in place', () => {
    const rgb = Uint8Array.from([255, 128, 0, 1, 2, 3])
    expect(Array.from(rgbToBgrFloat(rgb))).toEqual([0, 128, 255, 3, 2, 1])
    const out = new Float32Array(6).fill(-1)
    expect(rgbToBgrFloat(rgb, out)).toBe(out)
    expect(Array.from(out)).toEqual([0, 128, 255, 3, 2, 1])
    expect(() => rgbToBgrFloat(rgb, new Float32Array(5))).toThrow(/6 needed/)
  })
})

describe('packRgbBatch', () => {
  it('stacks images in order and pads a fixed batch with white', () => {
    const a = new Uint8Array(12).fill(1)
    const b = new Uint8Array(12).fill(2)
    const out = packRgbBatch([a, b], 2, 3)
    expect(out).toHaveLength(36)
    expect(out.byteOffset).toBe(0)
    expect(out.buffer.byteLength).toBe(36) // a buffer of its own, so it can be transferred
    expect([out[0], out[11], out[12], out[23], out[24], out[35]]).toEqual([1, 1, 2, 2, 255, 255])
    expect(() => packRgbBatch([a, b], 2, 1)).toThrow(/smaller/)
    expect(() => packRgbBatch([new Uint8Array(5)], 2)).toThrow(/expected 12/)
  })
})
