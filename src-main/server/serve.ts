/**
 * `glossa serve` as a function: opens the library, starts browser mode and prints where. Used by
 * the CLI (`glossa serve`), by `npm start` when Electron is unavailable (out/main/serve.js), and
 * by tests.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Core } from '../core'
import { startCore } from '../core/host/client'
import { defaultDataDir } from '../shared/paths'
import { GlossaError } from '../shared/errors'
import { startServer, type GlossaServer } from './index'

export interface ServeOptions {
  /** library file; default `<data dir>/library.sqlite` */
  library?: string
  /** data folder; default the per-user folder (see shared/paths.ts) */
  dataDir?: string
  host?: string
  port?: number
  rendererDir?: string
  token?: string
  /** print one JSON line `{url, origin, port, host, token, library}` on stdout */
  json?: boolean
  /** stop on SIGINT/SIGTERM (default true) */
  handleSignals?: boolean
}

export interface Serving {
  server: GlossaServer
  core: Core
  stop(): Promise<void>
}

export function userDataDir(): string {
  return defaultDataDir({ platform: process.platform, env: process.env, home: os.homedir() })
}

/** Finds out/renderer from the source tree (tsx) or from the bundle (out/main[/chunks]). */
export function findRendererDir(from: string = import.meta.dirname): string | null {
  let dir = from
  for (let i = 0; i < 5; i++) {
    for (const c of [path.join(dir, 'renderer'), path.join(dir, 'out', 'renderer')]) {
      if (fs.existsSync(path.join(c, 'index.html'))) return c
    }
    const up = path.dirname(dir)
    if (up === dir) break
    dir = up
  }
  return null
}

export async function serve(o: ServeOptions = {}): Promise<Serving> {
  const rendererDir = o.rendererDir ?? findRendererDir()
  if (!rendererDir || !fs.existsSync(path.join(rendererDir, 'index.html'))) {
    throw new GlossaError(
      'NOT_FOUND',
      `the studio is not built (${rendererDir ?? 'out/renderer'}/index.html is missing); run \`npm run build\` first`
    )
  }
  const library = o.library ? path.resolve(o.library) : undefined
  const dataDir = o.dataDir ?? (library ? path.dirname(library) : userDataDir())
  // The core runs in its own thread; this one only routes HTTP and streams files.
  const core = await startCore({
    dataDir,
    libraryFile: library,
    resumeInterrupted: true,
    processLabel: 'glossa serve'
  })
  let server: GlossaServer
  try {
    server = await startServer({ core, host: o.host, port: o.port, rendererDir, token: o.token })
  } catch (err) {
    await core.close()
    throw err
  }
  let stopping: Promise<void> | null = null
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await server.close()
      await core.close()
    })())
  if (o.json) {
    process.stdout.write(
      JSON.stringify({
        url: server.url,
        origin: server.origin,
        host: server.host,
        port: server.port,
        token: server.token,
        library: core.libraryFile
      }) + '\n'
    )
  }
  process.stderr.write(
    `Glossa is serving ${core.libraryFile}\n  open: ${server.url}\n(the token in the URL is the password; Ctrl+C stops the server)\n`
  )
  if (o.handleSignals !== false) {
    const onSignal = (): void => {
      void stop().then(() => process.exit(0))
    }
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
  }
  return { server, core, stop }
}
