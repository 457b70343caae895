/**
 * Electron entry (out/main/index.js). Thin: single-instance lock, sandbox, the privileged
 * `glossa` scheme, the core, one window, IPC, menu; all decisions are in src-main/electron/*.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { app, dialog, BrowserWindow, Menu, protocol } from 'electron'
import type { Core } from './core'
import { startCore } from './core/host/client'
import { defaultDataDir } from './shared/paths'
import { toApiError } from './shared/errors'
import { SCHEME_PRIVILEGES } from './electron/security'
import {
  buildMenu,
  createWindow,
  hardenContents,
  hardenSession,
  registerIpc,
  registerProtocol,
  serveDevMedia
} from './electron/app'
import { electronKeys } from './electron/keys'

const devUrl =
  !app.isPackaged && process.env.ELECTRON_RENDERER_URL ? process.env.ELECTRON_RENDERER_URL : null
const rendererDir = path.join(import.meta.dirname, '../renderer')
const preloadPath = path.join(import.meta.dirname, '../preload/index.cjs')

/** better-sqlite3 built for Electron's ABI by scripts/build-electron-native.mjs, if present. */
function electronNativeBinding(): string | undefined {
  const rel = path.join(
    'native',
    'electron',
    `${process.platform}-${process.arch}`,
    'better_sqlite3.node'
  )
  const candidates = [
    path.join(app.getAppPath(), rel),
    path.join(import.meta.dirname, '..', '..', rel),
    path.join(process.resourcesPath ?? '', rel)
  ]
  return candidates.find((c) => fs.existsSync(c))
}

const dataDir = defaultDataDir({ platform: process.platform, env: process.env, home: os.homedir() })
if (process.env.GLOSSA_DATA_DIR) app.setPath('userData', path.join(dataDir, 'electron'))

protocol.registerSchemesAsPrivileged([SCHEME_PRIVILEGES])
app.enableSandbox()

let core: Core | null = null
let win: BrowserWindow | null = null
let coreClosed = false

function openWindow(): void {
  win = createWindow(preloadPath, devUrl)
  win.on('closed', () => {
    win = null
  })
}

async function start(): Promise<void> {
  const nativeBinding = electronNativeBinding()
  try {
    // the core runs in its own thread: main only routes IPC, the protocol and window events
    core = await startCore(
      {
        dataDir,
        nativeBinding,
        resumeInterrupted: true,
        processLabel: 'Glossa app'
      },
      // endpoint API keys: safeStorage stays on this thread and answers the host (host/cipher.ts)
      { keys: electronKeys() }
    )
  } catch (err) {
    const hint = nativeBinding
      ? ''
      : '\n\nbetter-sqlite3 has no build for Electron here: run `node scripts/build-electron-native.mjs` (npm start does it for you).'
    dialog.showErrorBox('Glossa cannot open its library', `${toApiError(err).message}${hint}`)
    coreClosed = true
    app.exit(1)
    return
  }
  registerProtocol(core, rendererDir)
  hardenSession()
  if (devUrl) serveDevMedia(core, devUrl)
  registerIpc(core, devUrl)
  Menu.setApplicationMenu(buildMenu(devUrl !== null))
  openWindow()
}

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  app.on('web-contents-created', (_e, contents) => hardenContents(contents, devUrl))
  app.on('second-instance', () => {
    if (!win) return
    if (win.isMinimized()) win.restore()
    win.focus()
  })
  app.on('activate', () => {
    if (core && BrowserWindow.getAllWindows().length === 0) openWindow()
  })
  app.on('window-all-closed', () => app.quit())
  app.on('will-quit', (e) => {
    if (coreClosed || !core) return
    e.preventDefault()
    const c = core
    void c.close().finally(() => {
      coreClosed = true
      app.quit()
    })
  })
  app.whenReady().then(start, (err: unknown) => {
    console.error('glossa: Electron failed to start:', err)
    app.exit(1)
  })
}
