#!/usr/bin/env node
// The package's `glossa` bin: runs the built command line (out/main/cli.js, produced by
// `npm run build` from src-main/cli/index.ts). From a checkout, `npm run glossa -- <command>`
// runs the TypeScript source directly instead.
import { existsSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'

const candidates = ['../out/main/cli.js', '../out/main/cli.mjs', '../out/main/cli.cjs'].map((p) =>
  fileURLToPath(new URL(p, import.meta.url))
)
const built = candidates.find((f) => existsSync(f))
if (!built) {
  process.stderr.write(
    `glossa: the command line is not built (${candidates[0]} is missing).\n` +
      'Run "npm run build" in the Glossa folder first, or use "npm run glossa -- <command>" from a checkout.\n'
  )
  process.exit(1)
}
await import(pathToFileURL(built).href)
