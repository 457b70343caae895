/**
 * Every benchmark `npm run bench` runs, in order. To add one, write a module exporting a
 * `Benchmark` (see types.ts: each figure carries its physical reference measured in the same run)
 * and append it here.
 */
import type { Benchmark } from './types'
import { importSpeed } from './import-speed'
import { importRss } from './import-rss'
import { gridQueries } from './grid'
import { studioGrid } from './studio'
import { glossaryPreview } from './glossary'
import { taggerPipeline } from './tagger'
import { exportSpeed } from './export'
import { cleanupPreview } from './cleanup'
import { reviewBench } from './review'
import { hostBench } from './host'
import { ocrThroughput } from './ocr'
import { vlmJob } from './vlm'
import { endpointThroughput } from './endpoint'
import { millionBench } from './million'

export const benchmarks: Benchmark[] = [
  // issue 2: core library
  importSpeed,
  importRss,
  gridQueries,
  // issue 3: the studio
  studioGrid,
  // issue 5: glossaries
  glossaryPreview,
  // issue 4: captioning
  taggerPipeline,
  // issue 6: data tools
  exportSpeed,
  cleanupPreview,
  // issue 7: review at scale
  reviewBench,
  // issue 13: real weights
  ocrThroughput,
  // issue 14: the core host thread
  hostBench,
  // issue 13: chat VLMs in the worker
  vlmJob,
  // issue 16: OpenAI-compatible endpoints
  endpointThroughput,
  // issue 17: a million images
  millionBench
  // later issues: append here
]
