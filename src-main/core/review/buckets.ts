/**
 * kohya sd-scripts aspect-ratio bucketing, reproduced exactly (library/model_util.py
 * make_bucket_resolutions and library/train_util.py BucketManager.select_bucket), including
 * Python's integer/float arithmetic: `//` is floor division, int(x + 0.5) truncates, numpy's
 * argmin takes the first minimum over the resolutions sorted as tuples.
 *
 *  - enable_bucket with bucket_no_upscale = false: predefined resolutions of area ≤ max_reso's,
 *    width stepping from min to max by `steps`; an image takes the one with the closest aspect
 *    ratio (or its own size if that is predefined) and is scaled to cover it — upscaled when the
 *    scale is > 1;
 *  - bucket_no_upscale = true: no predefined list; an image bigger than max area is shrunk keeping
 *    its aspect (rounded to steps), smaller ones keep their size; the bucket is the size cut down
 *    to multiples of `steps`. Never upscaled;
 *  - enable_bucket = false: one bucket, the training resolution, images scaled to cover it.
 */

export type Reso = [number, number]

export interface BucketSettings {
  resolution: Reso
  enableBucket: boolean
  minReso: number
  maxReso: number
  steps: number
  noUpscale: boolean
}

const floorDiv = (a: number, b: number) => Math.floor(a / b)
const pyInt = (x: number) => Math.trunc(x)

/** model_util.make_bucket_resolutions */
export function makeBucketResolutions(
  maxReso: Reso,
  minSize: number,
  maxSize: number,
  divisible: number
): Reso[] {
  const maxArea = maxReso[0] * maxReso[1]
  const set = new Map<string, Reso>()
  const add = (w: number, h: number) => set.set(`${w}x${h}`, [w, h])
  const sq = pyInt(floorDiv(Math.sqrt(maxArea), divisible)) * divisible
  add(sq, sq)
  for (let width = minSize; width <= maxSize; width += divisible) {
    const height = Math.min(
      maxSize,
      pyInt(floorDiv(floorDiv(maxArea, width), divisible)) * divisible
    )
    if (height >= minSize) {
      add(width, height)
      add(height, width)
    }
  }
  return [...set.values()].sort((a, b) => a[0] - b[0] || a[1] - b[1])
}

export interface Selected {
  reso: Reso
  resized: Reso
  upscaled: boolean
}

export class BucketSelector {
  readonly predefined: Reso[]
  private predefinedSet: Set<string>
  private ratios: number[]
  private maxArea: number

  constructor(private s: BucketSettings) {
    if (s.enableBucket && s.maxReso < Math.max(...s.resolution))
      throw new Error('max bucket resolution must be at least the training resolution')
    if (s.enableBucket && s.minReso > s.maxReso)
      throw new Error('min bucket resolution must not exceed the max')
    this.maxArea = s.resolution[0] * s.resolution[1]
    this.predefined = !s.enableBucket
      ? [s.resolution]
      : s.noUpscale
        ? []
        : makeBucketResolutions(s.resolution, s.minReso, s.maxReso, s.steps)
    this.predefinedSet = new Set(this.predefined.map(([w, h]) => `${w}x${h}`))
    this.ratios = this.predefined.map(([w, h]) => w / h)
  }

  private roundToSteps(x: number): number {
    const i = pyInt(x + 0.5)
    return i - (i % this.s.steps)
  }

  select(w: number, h: number): Selected {
    const aspect = w / h
    if (!this.s.enableBucket || !this.s.noUpscale) {
      let reso: Reso = [w, h]
      if (!this.predefinedSet.has(`${w}x${h}`)) {
        let best = 0
        let bestErr = Infinity
        for (let i = 0; i < this.ratios.length; i++) {
          const err = Math.abs(this.ratios[i]! - aspect)
          if (err < bestErr) {
            bestErr = err
            best = i
          }
        }
        reso = this.predefined[best]!
      }
      const arReso = reso[0] / reso[1]
      const scale = aspect > arReso ? reso[1] / h : reso[0] / w
      const resized: Reso = [pyInt(w * scale + 0.5), pyInt(h * scale + 0.5)]
      return { reso, resized, upscaled: scale > 1 }
    }
    let resized: Reso
    if (w * h > this.maxArea) {
      const rw = Math.sqrt(this.maxArea * aspect)
      const rh = this.maxArea / rw
      const bwr = this.roundToSteps(rw)
      const bhInWr = this.roundToSteps(bwr / aspect)
      const arWr = bwr / bhInWr
      const bhr = this.roundToSteps(rh)
      const bwInHr = this.roundToSteps(bhr * aspect)
      const arHr = bwInHr / bhr
      resized =
        Math.abs(arWr - aspect) < Math.abs(arHr - aspect)
          ? [bwr, pyInt(bwr / aspect + 0.5)]
          : [pyInt(bhr * aspect + 0.5), bhr]
    } else resized = [w, h]
    const st = this.s.steps
    return {
      reso: [resized[0] - (resized[0] % st), resized[1] - (resized[1] % st)],
      resized,
      upscaled: false
    }
  }
}
