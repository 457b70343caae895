/**
 * Playwright fixtures for the studio in browser mode. Each test gets a fresh temp data folder,
 * a real core and `startServer` running in the test process (the same code `glossa serve`
 * runs), serving the built renderer from out/renderer (run `npm run build` first).
 *
 *   glossa  → { url, origin, token, port, core, dataDir, close }   (server only)
 *   studio  → the same, after the page has opened the token URL (cookie set, app loaded)
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { test as base, expect } from '@playwright/test'
import type { Core } from '../../src-main/core'
import { startCore } from '../../src-main/core/host/client'
import { startServer } from '../../src-main/server'

export const ROOT = path.resolve(import.meta.dirname, '..', '..')
export const RENDERER_DIR = path.join(ROOT, 'out', 'renderer')

export interface Studio {
  /** the printed URL, with its token */
  url: string
  /** http://127.0.0.1:<port> */
  origin: string
  token: string
  port: number
  core: Core
  dataDir: string
  close(): Promise<void>
}

export const test = base.extend<{ glossa: Studio; studio: Studio }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright needs the destructuring form
  glossa: async ({}, use) => {
    if (!fs.existsSync(path.join(RENDERER_DIR, 'index.html'))) {
      throw new Error(
        `${RENDERER_DIR}/index.html is missing: run \`npm run build\` before the e2e tests`
      )
    }
    const root = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'glossa-e2e-'))
    const dataDir = path.join(root, 'data')
    // the studio runs against the core host thread, as in the app and `glossa serve`
    const core = await startCore({ dataDir, resumeInterrupted: true })
    const server = await startServer({ core, rendererDir: RENDERER_DIR })
    let closed = false
    const close = async (): Promise<void> => {
      if (closed) return
      closed = true
      await server.close()
      await core.close()
    }
    try {
      await use({
        url: server.url,
        origin: server.origin,
        token: server.token,
        port: server.port,
        core,
        dataDir,
        close
      })
    } finally {
      await close()
      await fs.promises.rm(root, { recursive: true, force: true })
    }
  },
  studio: async ({ glossa, page }, use) => {
    await page.goto(glossa.url)
    await expect(page).toHaveURL(`${glossa.origin}/`)
    await use(glossa)
  }
})

export { expect }
