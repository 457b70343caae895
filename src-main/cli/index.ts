/**
 * The `glossa` command line. Run from a checkout with `npm run glossa -- <command>`; the package
 * bin (bin/glossa.js) runs the built copy of this file (out/main/cli.js).
 */
import { run } from './program'

// A reader that stops early (`glossa ls | head`) closes the pipe: that is not an error, so end
// quietly instead of crashing with EPIPE.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  throw err
})

run(process.argv).then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    process.stderr.write(`glossa: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exitCode = 1
  }
)
