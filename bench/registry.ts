/**
 * Every benchmark `npm run bench` runs, in order. To add one, write a module exporting a
 * `Benchmark` (see types.ts: each figure carries its physical reference measured in the same run)
 * and append it here.
 */
import type { Benchmark } from './types'
import { importSpeed } from './import-speed'
import { importRss } from './import-rss'
import { gridQueries } from './grid'

export const benchmarks: Benchmark[] = [
  // issue 2: core library
  importSpeed,
  importRss,
  gridQueries
  // issue 3 and later: append here (e.g. the studio's Chromium grid benchmark)
]
