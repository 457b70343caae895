/**
 * Entry built to out/main/serve.js: browser mode without the rest of the CLI (used by `npm start`
 * when Electron's binary is unavailable). `node out/main/serve.js [--host H] [--port N]
 * [--library FILE] [--json]`.
 */
import { parseArgs } from 'node:util'
import { serve } from './serve'
import { toApiError } from '../shared/errors'

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
      library: { type: 'string' },
      json: { type: 'boolean', default: false }
    },
    strict: true
  })
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`glossa serve: --port must be 0–65535, got ${values.port}\n`)
    process.exit(2)
  }
  await serve({ host: values.host, port, library: values.library, json: values.json })
}

main().catch((err: unknown) => {
  process.stderr.write(`glossa serve: ${toApiError(err).message}\n`)
  process.exit(1)
})
