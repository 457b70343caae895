/**
 * A seeded studio for the browser-mode specs that need a large library: a temp folder holding a
 * library with one dataset of seeded images (test/db/helpers.ts seedLibrary), a real core on it
 * and `startServer` serving the built renderer. Everything is closed and removed after `use`.
 *
 *   lib: async ({}, use) =>
 *     withSeededStudio({ prefix: 'glossa-e2e-x-', images: 3000, seed: 7 }, async (s) => {
 *       await use({ origin: s.server.origin, token: s.server.token, datasetId: s.datasetId })
 *     })
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Core } from '../../src-main/core'
import { startCore } from '../../src-main/core/host/client'
import { closeDatabase, openDatabase } from '../../src-main/core/db/open'
import { startServer, type GlossaServer } from '../../src-main/server'
import { seedLibrary } from '../db/helpers'
import { RENDERER_DIR } from './fixtures'

export interface SeededStudioOptions {
  /** mkdtemp prefix of the temp folder */
  prefix: string
  images: number
  seed: number
  /** the core's default actor (the reviewer journal entries name) */
  actor?: string
}

export interface SeededStudio {
  /** the temp folder (removed afterwards): put more fixture files here */
  root: string
  datasetId: number
  core: Core
  server: GlossaServer
}

export async function withSeededStudio(
  opts: SeededStudioOptions,
  use: (s: SeededStudio) => Promise<void>
): Promise<void> {
  if (!fs.existsSync(path.join(RENDERER_DIR, 'index.html')))
    throw new Error(`${RENDERER_DIR}/index.html is missing: run \`npm run build\` first`)
  const root = await fs.promises.mkdtemp(path.join(os.tmpdir(), opts.prefix))
  try {
    const file = path.join(root, 'library.sqlite')
    const db = openDatabase(file)
    let datasetId: number
    try {
      datasetId = seedLibrary(db, { datasets: 1, imagesPerDataset: opts.images, seed: opts.seed })
        .datasetIds[0]!
    } finally {
      closeDatabase(db)
    }
    const core = await startCore({
      dataDir: path.join(root, 'data'),
      libraryFile: file,
      ...(opts.actor === undefined ? {} : { actor: opts.actor })
    })
    try {
      const server = await startServer({ core, rendererDir: RENDERER_DIR, log: () => undefined })
      try {
        await use({ root, datasetId, core, server })
      } finally {
        await server.close()
      }
    } finally {
      await core.close()
    }
  } finally {
    await fs.promises.rm(root, { recursive: true, force: true })
  }
}
