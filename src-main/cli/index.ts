/**
 * The `glossa` command line. Run from a checkout with `npm run glossa -- <command>`; the package
 * bin (bin/glossa.js) runs the built copy of this file (out/main/cli.js).
 */
import { run } from './program'

run(process.argv).then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    process.stderr.write(`glossa: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exitCode = 1
  }
)
