/**
 * Facts about Electron on this machine, found without triggering Electron's lazy download:
 * where its binary is (or why it is missing), its version and ABI, and where the Electron build
 * of better-sqlite3 belongs. Used by scripts/start.mjs, scripts/build-electron-native.mjs and
 * test/e2e/electron.spec.ts.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

export function electronPackageDir(root = ROOT) {
  return path.join(root, 'node_modules', 'electron')
}

/** Electron's version and NODE_MODULE_VERSION, from its npm package (no binary needed). */
export function electronVersion(root = ROOT) {
  const dir = electronPackageDir(root)
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'))
  let abi = null
  try {
    abi = fs.readFileSync(path.join(dir, 'abi_version'), 'utf8').trim()
  } catch {
    abi = null
  }
  return { version: pkg.version, abi }
}

function platformExecutable() {
  if (process.platform === 'darwin') return 'Electron.app/Contents/MacOS/Electron'
  if (process.platform === 'win32') return 'electron.exe'
  return 'electron'
}

/**
 * Looks for the Electron binary exactly where `require('electron')` would, but never downloads.
 * Returns `{ available, path, reason }`; `reason` says what was checked when it is missing.
 */
export function findElectronBinary(root = ROOT) {
  const explicit = process.env.ELECTRON_EXEC_PATH
  if (explicit) {
    return fs.existsSync(explicit)
      ? { available: true, path: explicit, reason: `ELECTRON_EXEC_PATH=${explicit}` }
      : {
          available: false,
          path: explicit,
          reason: `ELECTRON_EXEC_PATH=${explicit} does not exist`
        }
  }
  const dir = electronPackageDir(root)
  if (!fs.existsSync(path.join(dir, 'package.json'))) {
    return { available: false, path: null, reason: `${dir} is not installed (run npm install)` }
  }
  const pathFile = path.join(dir, 'path.txt')
  const rel = fs.existsSync(pathFile)
    ? fs.readFileSync(pathFile, 'utf8').trim()
    : platformExecutable()
  const distDir = process.env.ELECTRON_OVERRIDE_DIST_PATH || path.join(dir, 'dist')
  const exe = path.join(distDir, rel)
  if (fs.existsSync(exe)) return { available: true, path: exe, reason: exe }
  return {
    available: false,
    path: exe,
    reason: `${exe} is missing: Electron downloads its binary lazily on first launch, and that has not happened`
  }
}

/** Where scripts/build-electron-native.mjs puts better-sqlite3 built for Electron's ABI. */
export function electronNativeBinding(
  root = ROOT,
  platform = process.platform,
  arch = process.arch
) {
  return path.join(root, 'native', 'electron', `${platform}-${arch}`, 'better_sqlite3.node')
}
