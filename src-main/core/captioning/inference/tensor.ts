/**
 * Tagger tensor layout helpers, free of sharp so the inference worker can use them: 8-bit RGB →
 * float32 BGR (preprocess.ts step 4) and batch assembly, NHWC.
 */

/**
 * Interleaved 8-bit RGB → interleaved float32 BGR, values kept in 0–255. `out` (at least as long
 * as `rgb`) is filled instead of allocating, so a caller can reuse one tensor buffer per batch.
 */
export function rgbToBgrFloat(
  rgb: Uint8Array,
  out: Float32Array = new Float32Array(rgb.length)
): Float32Array {
  if (out.length < rgb.length)
    throw new Error(`output holds ${out.length} values, ${rgb.length} needed`)
  const n = rgb.length - (rgb.length % 3)
  for (let i = 0; i < n; i += 3) {
    out[i] = rgb[i + 2]!
    out[i + 1] = rgb[i + 1]!
    out[i + 2] = rgb[i]!
  }
  return out
}

/**
 * Packs single-image RGB buffers into one NHWC 8-bit batch (a fresh, transferable buffer). When
 * `batch` is larger than the number of images (a model with a fixed batch > 1), the rest is
 * white — 255 in every channel, the same in RGB and BGR.
 */
export function packRgbBatch(
  images: Uint8Array[],
  size: number,
  batch = images.length
): Uint8Array {
  const per = size * size * 3
  if (batch < images.length)
    throw new Error(`batch ${batch} is smaller than ${images.length} images`)
  const out = new Uint8Array(per * batch)
  images.forEach((img, i) => {
    if (img.length !== per) throw new Error(`image ${i} has ${img.length} bytes, expected ${per}`)
    out.set(img, i * per)
  })
  if (batch > images.length) out.fill(255, images.length * per)
  return out
}

/**
 * Concatenates single-image tensors into one NHWC batch. When `batch` is larger than the number
 * of images (a model with a fixed batch > 1), the rest is padded with white images.
 */
export function concatBatch(
  images: Float32Array[],
  size: number,
  batch = images.length
): Float32Array {
  const per = size * size * 3
  if (batch < images.length)
    throw new Error(`batch ${batch} is smaller than ${images.length} images`)
  const out = new Float32Array(per * batch)
  images.forEach((img, i) => {
    if (img.length !== per) throw new Error(`image ${i} has ${img.length} values, expected ${per}`)
    out.set(img, i * per)
  })
  if (batch > images.length) out.fill(255, images.length * per)
  return out
}
