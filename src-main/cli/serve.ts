import fs from 'node:fs'
import path from 'node:path'
import type { Command } from 'commander'
import { GlossaError } from '../shared/errors'
import { action, EXIT, globalOptions, openCore, writeAll, type CliState } from './runtime'
import { parsePort } from './options'

interface ServeOptions {
  host: string
  port: number
  renderer?: string
}

async function rendererDirOrThrow(given?: string): Promise<string> {
  const { findRendererDir } = await import('../server/serve')
  const dir = given ? path.resolve(given) : findRendererDir()
  if (!dir || !fs.existsSync(path.join(dir, 'index.html'))) {
    throw new GlossaError(
      'NOT_FOUND',
      `${path.join(dir ?? 'out/renderer', 'index.html')}: the studio is not built; run "npm run build" first`,
      { file: dir }
    )
  }
  return dir
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const done = (s: NodeJS.Signals) => {
      process.off('SIGINT', done)
      process.off('SIGTERM', done)
      resolve(s)
    }
    process.on('SIGINT', done)
    process.on('SIGTERM', done)
  })
}

export function registerServe(program: Command, state: CliState): void {
  program
    .command('serve')
    .description('serve the studio to a browser (prints the URL with its access token)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port (0 = any free port)', parsePort, 0)
    .option('--renderer <dir>', 'the built studio folder (default: out/renderer)')
    .action(
      action(state, async (opts: ServeOptions, cmd: Command) => {
        const out = state.output
        const rendererDir = await rendererDirOrThrow(opts.renderer)
        const { startServer } = await import('../server')
        const core = await openCore(globalOptions(cmd), { create: true, resumeInterrupted: true })
        try {
          const server = await startServer({
            core,
            host: opts.host,
            port: opts.port,
            rendererDir,
            log: (msg) => out.note(msg)
          })
          const stopped = untilSignal()
          if (out.json) {
            // The one JSON object comes at start: the command then runs until it is stopped.
            await out.result({
              url: server.url,
              origin: server.origin,
              host: server.host,
              port: server.port,
              token: server.token,
              library: core.libraryFile
            })
          } else {
            await writeAll(process.stdout, `${server.url}\n`)
          }
          out.note(
            `Glossa is serving ${core.libraryFile} at ${server.origin}\n` +
              'Open the URL above; its token is the password. Ctrl+C stops the server.'
          )
          const signal = await stopped
          out.note(`\nglossa: ${signal}, stopping the server…`)
          await server.close()
        } finally {
          await core.close()
        }
        return EXIT.ok
      })
    )
}
