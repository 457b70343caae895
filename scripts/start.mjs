#!/usr/bin/env node
/**
 * `npm start`: the desktop app when Electron can run here, otherwise the same studio in browser
 * mode on 127.0.0.1 with the default library (the URL with its token is printed).
 *
 *   1. Find Electron's binary without triggering its lazy download. If it is missing, try that
 *      download once, only if its host answers within a few seconds (never hang on a dead network).
 *   2. Make sure better-sqlite3 is built for Electron's ABI (scripts/build-electron-native.mjs).
 *   3. `electron-vite preview` (builds, then launches Electron).
 *   Any step failing → browser mode: build if out/ is missing or stale, then `node out/main/serve.js`.
 *
 * Options after `npm start --`: `--browser` (skip Electron), `--port N`, `--host H`, `--library F`.
 * GLOSSA_NO_ELECTRON_DOWNLOAD=1 skips the download attempt.
 */
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {
  ROOT,
  electronNativeBinding,
  electronPackageDir,
  findElectronBinary
} from './electron-env.mjs'

const argv = process.argv.slice(2)
const forceBrowser = argv.includes('--browser')
const serveArgs = argv.filter((a) => a !== '--browser')
const bin = (name) =>
  path.join(ROOT, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name)

/** Is the download host reachable at all? A HEAD with a short timeout, so a black-holed network cannot hang us. */
async function downloadHostAnswers() {
  const mirror = process.env.ELECTRON_MIRROR || 'https://github.com/'
  try {
    await fetch(mirror, { method: 'HEAD', signal: AbortSignal.timeout(5000) })
    return { ok: true, why: '' }
  } catch (err) {
    const cause = err?.cause?.code || err?.cause?.message || err?.message || String(err)
    return { ok: false, why: `${new URL(mirror).host} is unreachable (${cause})` }
  }
}

async function electronStatus() {
  if (forceBrowser) return { available: false, reason: '--browser was given' }
  let found = findElectronBinary(ROOT)
  if (found.available) return found
  if (process.env.GLOSSA_NO_ELECTRON_DOWNLOAD === '1') {
    return { ...found, reason: `${found.reason}; GLOSSA_NO_ELECTRON_DOWNLOAD=1` }
  }
  const host = await downloadHostAnswers()
  if (!host.ok)
    return { ...found, reason: `${found.reason}; downloading it now is impossible: ${host.why}` }
  console.log("Downloading Electron's binary (first launch only)…")
  const r = spawnSync(process.execPath, [path.join(electronPackageDir(ROOT), 'install.js')], {
    stdio: 'inherit',
    timeout: 15 * 60_000
  })
  found = findElectronBinary(ROOT)
  if (found.available) return found
  return {
    ...found,
    reason: `${found.reason}; the download failed (exit ${r.status ?? r.error?.message})`
  }
}

function ensureElectronNative() {
  if (fs.existsSync(electronNativeBinding(ROOT))) return { ok: true, why: '' }
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build-electron-native.mjs')], {
    stdio: 'inherit'
  })
  return r.status === 0
    ? { ok: true, why: '' }
    : { ok: false, why: 'better-sqlite3 could not be built for Electron (see above)' }
}

function newestMtime(dir) {
  let newest = 0
  if (!fs.existsSync(dir)) return newest
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p))
    else newest = Math.max(newest, fs.statSync(p).mtimeMs)
  }
  return newest
}

/** Builds when out/ is missing or older than any source file. */
function buildIfNeeded() {
  const outputs = [
    path.join(ROOT, 'out', 'renderer', 'index.html'),
    path.join(ROOT, 'out', 'main', 'serve.js')
  ]
  const built = Math.min(...outputs.map((f) => (fs.existsSync(f) ? fs.statSync(f).mtimeMs : 0)))
  const sources = Math.max(
    ...['src-main', 'src-renderer', 'src-preload'].map((d) => newestMtime(path.join(ROOT, d))),
    fs.statSync(path.join(ROOT, 'electron.vite.config.ts')).mtimeMs
  )
  if (built > 0 && built >= sources) return
  console.log(
    built > 0 ? 'Sources changed since the last build; building…' : 'Building the studio…'
  )
  const r = spawnSync(bin('electron-vite'), ['build'], { cwd: ROOT, stdio: 'inherit' })
  if (r.status !== 0) {
    console.error('The build failed (see above); fix it or run `npm run build` to see the errors.')
    process.exit(1)
  }
}

function runChild(cmd, args, env = process.env) {
  const child = spawn(cmd, args, { cwd: ROOT, stdio: 'inherit', env })
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)))
}

const electron = await electronStatus()
let fallbackReason = electron.available ? null : electron.reason
if (electron.available) {
  const native = ensureElectronNative()
  if (!native.ok) fallbackReason = native.why
}

if (fallbackReason === null) {
  runChild(bin('electron-vite'), ['preview'], { ...process.env, ELECTRON_EXEC_PATH: electron.path })
} else {
  console.log(
    electron.available
      ? `Electron is installed but cannot open the library here (${fallbackReason}); serving the same studio in browser mode instead.`
      : `Electron's binary is not available on this machine (${fallbackReason}); serving the same studio in browser mode instead.`
  )
  buildIfNeeded()
  runChild(process.execPath, [path.join(ROOT, 'out', 'main', 'serve.js'), ...serveArgs])
}
