/**
 * The benchmark contract. A benchmark module measures something and reports figures, each with
 * its physical reference measured in the same run (for example: the importer vs a bare loop doing
 * the same file work), so results compare across machines as ratios. Targets are reported, never
 * enforced: `npm run bench` does not fail on a missed target.
 */

export interface BenchContext {
  /** smaller sizes for a quick look (`--quick`) */
  quick: boolean
  /** bench/.cache: generated fixtures, kept between runs (gitignored) */
  cacheDir: string
  /** a fresh temporary folder for this benchmark, removed afterwards */
  tmpDir: string
  /** progress notes (stderr) */
  log(msg: string): void
}

export interface Measurement {
  /** what was measured, e.g. "import wall time" */
  name: string
  value: number
  unit: string
}

export interface Target {
  /** which number the target applies to */
  of: 'ratio' | 'value'
  /** the figure must be at most this */
  max: number
}

export interface Figure {
  /** stable id, e.g. "import.wall" */
  id: string
  description: string
  measured: Measurement
  /** the physical reference, measured in the same run */
  reference: Measurement
  /** measured.value / reference.value */
  ratio: number
  target: Target | null
  /** whether the target was met (null when there is no target) */
  met: boolean | null
  /** sizes, percentiles, counts: anything that helps read the figure */
  details?: Record<string, unknown>
}

export interface Benchmark {
  /** short name used by `--only` */
  name: string
  /** which issue added it */
  issue: number
  description: string
  run(ctx: BenchContext): Promise<Figure[]>
}

/** Builds a figure, computing the ratio and whether the target is met. */
export function figure(f: Omit<Figure, 'ratio' | 'met'>): Figure {
  const ratio = f.reference.value > 0 ? f.measured.value / f.reference.value : Number.NaN
  let met: boolean | null = null
  if (f.target) {
    const v = f.target.of === 'ratio' ? ratio : f.measured.value
    met = Number.isFinite(v) && v <= f.target.max
  }
  return { ...f, ratio: round(ratio, 3), met }
}

export function round(v: number, digits = 2): number {
  if (!Number.isFinite(v)) return v
  const k = 10 ** digits
  return Math.round(v * k) / k
}
