#!/usr/bin/env node
/**
 * Builds better-sqlite3 for Electron's ABI into native/electron/<platform>-<arch>/better_sqlite3.node,
 * leaving node_modules/better-sqlite3 (the Node build used by tests, the CLI and `glossa serve`)
 * untouched. The Electron main process passes that file to better-sqlite3 as `nativeBinding`.
 *
 * Two ways, in order:
 *   1. prebuild-install --runtime electron --target <electron version>: the prebuilt binary
 *      better-sqlite3 publishes for each Electron ABI (a download from GitHub releases);
 *   2. node-gyp rebuild --runtime=electron --target=<version> --dist-url=https://electronjs.org/headers:
 *      compiles from source against Electron's headers (a download, plus a C++ toolchain).
 * Both run in a temporary copy of the package. Both need the network once; offline this script
 * fails with a message saying so. Usage: node scripts/build-electron-native.mjs [--force]
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import { ROOT, electronNativeBinding, electronVersion } from './electron-env.mjs'

const require = createRequire(import.meta.url)
const force = process.argv.includes('--force')
const platform = process.env.npm_config_platform || process.platform
const arch = process.env.npm_config_arch || process.arch
const target = electronNativeBinding(ROOT, platform, arch)
const { version, abi } = electronVersion(ROOT)
const pkgDir = path.join(ROOT, 'node_modules', 'better-sqlite3')
const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'))

if (fs.existsSync(target) && !force) {
  console.log(
    `better-sqlite3 for Electron ${version} is already built: ${path.relative(ROOT, target)}`
  )
  process.exit(0)
}

/** The lines of a tool's output that say why it failed (not node-gyp's environment banner). */
function reason(s) {
  const lines = String(s ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter(
      (l) =>
        l && !/^gyp (info|ERR! (System|command|cwd|node -v|node-gyp -v|not ok|stack\s+at ))/.test(l)
    )
  const stack = lines.filter((l) => l.startsWith('gyp ERR! stack ')).map((l) => l.slice(15))
  const fetched = lines
    .filter((l) => /^gyp http GET /.test(l))
    .map((l) => `fetching ${l.slice(13)}: `)
  if (stack.length) return fetched.slice(-1).join('') + stack.join(' ')
  const telling = lines.filter((l) =>
    /error|enotfound|eai_again|econnrefused|fetch failed|not found|fail/i.test(l)
  )
  return (telling.length ? telling : lines).slice(0, 3).join('\n      ')
}

function run(cmd, args, cwd, timeoutMs) {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, npm_config_runtime: 'electron', npm_config_target: version }
  })
  if (r.error)
    return {
      ok: false,
      why: r.error.code === 'ETIMEDOUT' ? `timed out after ${timeoutMs / 1000} s` : r.error.message
    }
  if (r.status !== 0)
    return { ok: false, why: reason(r.stderr) || reason(r.stdout) || `exit ${r.status}` }
  return { ok: true, why: '' }
}

/** A scratch copy of the package, so node_modules/better-sqlite3/build keeps the Node build. */
function scratchCopy() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glossa-bsq3-electron-'))
  for (const entry of ['package.json', 'binding.gyp', 'src', 'deps', 'lib']) {
    const from = path.join(pkgDir, entry)
    if (fs.existsSync(from)) fs.cpSync(from, path.join(dir, entry), { recursive: true })
  }
  return dir
}

function install(built) {
  fs.mkdirSync(path.dirname(target), { recursive: true })
  fs.copyFileSync(built, target)
  fs.writeFileSync(
    path.join(path.dirname(target), 'BUILD_INFO.json'),
    JSON.stringify(
      {
        module: 'better-sqlite3',
        moduleVersion: pkg.version,
        electron: version,
        abi,
        platform,
        arch,
        builtAt: new Date().toISOString()
      },
      null,
      2
    ) + '\n'
  )
  console.log(
    `better-sqlite3 ${pkg.version} for Electron ${version} (ABI ${abi}) → ${path.relative(ROOT, target)}`
  )
}

const failures = []
console.log(
  `Building better-sqlite3 ${pkg.version} for Electron ${version} (ABI ${abi}, ${platform}-${arch})…`
)

// 1. The prebuilt binary.
{
  const dir = scratchCopy()
  try {
    const bin = require.resolve('prebuild-install/bin.js')
    const r = run(
      process.execPath,
      [
        bin,
        '--runtime',
        'electron',
        '--target',
        version,
        '--arch',
        arch,
        '--platform',
        platform,
        '--tag-prefix',
        'v'
      ],
      dir,
      120_000
    )
    const built = path.join(dir, 'build', 'Release', 'better_sqlite3.node')
    if (r.ok && fs.existsSync(built)) {
      install(built)
      process.exit(0)
    }
    failures.push(`prebuilt binary (prebuild-install): ${r.why || 'no binary was produced'}`)
  } catch (err) {
    failures.push(`prebuilt binary (prebuild-install): ${err.message}`)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

// 2. Compile against Electron's headers.
{
  const candidates = [
    process.env.npm_config_node_gyp,
    path.join(
      path.dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js'
    ),
    path.join(ROOT, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')
  ].filter(Boolean)
  const gyp = candidates.find((c) => fs.existsSync(c))
  if (!gyp) {
    failures.push('compile from source (node-gyp): node-gyp not found (it ships with npm)')
  } else {
    const dir = scratchCopy()
    try {
      const r = run(
        process.execPath,
        [
          gyp,
          'rebuild',
          '--release',
          `--runtime=electron`,
          `--target=${version}`,
          `--arch=${arch}`,
          '--dist-url=https://electronjs.org/headers'
        ],
        dir,
        20 * 60_000
      )
      const built = path.join(dir, 'build', 'Release', 'better_sqlite3.node')
      if (r.ok && fs.existsSync(built)) {
        install(built)
        process.exit(0)
      }
      failures.push(`compile from source (node-gyp): ${r.why || 'no binary was produced'}`)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }
}

console.error(
  [
    '',
    `Could not build better-sqlite3 for Electron ${version} (ABI ${abi}, ${platform}-${arch}).`,
    ...failures.map((f) => `  - ${f}`),
    '',
    `Electron cannot load the Node build in node_modules (NODE_MODULE_VERSION ${process.versions.modules} vs ${abi}).`,
    'Both ways need network access once (GitHub releases, or electronjs.org headers plus a C++ toolchain).',
    'Run `node scripts/build-electron-native.mjs` again where the network is reachable.',
    'Browser mode (`npm start` falls back to it, or `glossa serve`) does not need this build.'
  ].join('\n')
)
process.exit(1)
