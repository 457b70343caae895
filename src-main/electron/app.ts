/**
 * Thin Electron wiring. Every decision lives in the pure modules beside this one (security.ts,
 * ipc.ts, protocol.ts); this file only connects them to Electron's objects.
 */
import {
  BrowserWindow,
  Menu,
  dialog,
  ipcMain,
  net,
  protocol,
  session,
  type MenuItemConstructorOptions,
  type WebContents
} from 'electron'
import { EVENT_NAMES } from '../shared/api'
import { IPC, type IpcEvent, type IpcReply } from '../shared/client'
import type { Core } from '../core'
import { handleIpcCall } from './ipc'
import { mediaRequest, protocolRequest } from './protocol'
import { APP_URL, SCHEME, isAllowedNavigation, isAllowedSender, windowOptions } from './security'

export function registerProtocol(core: Core, rendererDir: string): void {
  protocol.handle(SCHEME, (req) => protocolRequest(core, rendererDir, req))
}

export function registerIpc(core: Core, devUrl: string | null): () => void {
  ipcMain.handle(IPC.call, (e, method: unknown, args: unknown) =>
    handleIpcCall(core, e.senderFrame?.url, method, args, devUrl)
  )
  ipcMain.handle(IPC.openFolder, async (e): Promise<IpcReply<string | null>> => {
    if (!isAllowedSender(e.senderFrame?.url, devUrl)) {
      return { ok: false, error: { code: 'FORBIDDEN', message: 'this frame may not open dialogs' } }
    }
    const win = BrowserWindow.fromWebContents(e.sender)
    const opts = { properties: ['openDirectory' as const] }
    const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts)
    return { ok: true, result: r.canceled ? null : (r.filePaths[0] ?? null) }
  })
  const offs = EVENT_NAMES.map((name) =>
    core.on(name, (payload) => {
      const msg: IpcEvent = { name, payload }
      for (const w of BrowserWindow.getAllWindows()) {
        const wc = w.webContents
        if (!wc.isDestroyed() && isAllowedSender(wc.getURL(), devUrl)) wc.send(IPC.event, msg)
      }
    })
  )
  return () => {
    for (const off of offs) off()
    ipcMain.removeHandler(IPC.call)
    ipcMain.removeHandler(IPC.openFolder)
  }
}

/** Navigation, new windows, webviews and permissions: all denied unless it is our own page. */
export function hardenContents(contents: WebContents, devUrl: string | null): void {
  contents.on('will-navigate', (e, url) => {
    if (!isAllowedNavigation(url, devUrl)) e.preventDefault()
  })
  contents.on('will-redirect', (e, url) => {
    if (!isAllowedNavigation(url, devUrl)) e.preventDefault()
  })
  contents.on('will-attach-webview', (e) => e.preventDefault())
  contents.setWindowOpenHandler(() => ({ action: 'deny' }))
}

export function hardenSession(): void {
  const s = session.defaultSession
  s.setPermissionRequestHandler((_wc, _perm, cb) => cb(false))
  s.setPermissionCheckHandler(() => false)
}

/**
 * Development only: the page comes from Vite's dev server, so its relative media URLs
 * (`media/thumb/12`) point at that server. Answer them here, same-origin (the page's CSP allows
 * only 'self' images), and pass every other request through untouched.
 */
export function serveDevMedia(core: Core, devUrl: string): void {
  const origin = new URL(devUrl).origin
  protocol.handle('http', (req) => {
    const u = new URL(req.url)
    if (u.origin === origin && u.pathname.startsWith('/media/')) {
      return mediaRequest(
        core,
        `${SCHEME}://app${u.pathname}`,
        req.headers.get('range'),
        req.headers.get('if-none-match')
      )
    }
    return net.fetch(req, { bypassCustomProtocolHandlers: true })
  })
}

export function createWindow(preloadPath: string, devUrl: string | null): BrowserWindow {
  const win = new BrowserWindow(windowOptions(preloadPath))
  win.once('ready-to-show', () => win.show())
  void win.loadURL(devUrl ?? APP_URL)
  return win
}

export function buildMenu(dev: boolean): Menu {
  const mac = process.platform === 'darwin'
  // No undo/redo roles: Ctrl/Cmd+Z belongs to the studio's own history (edits, reviews).
  const template: MenuItemConstructorOptions[] = [
    ...(mac ? [{ role: 'appMenu' as const }] : []),
    { label: 'File', submenu: [mac ? { role: 'close' } : { role: 'quit' }] },
    {
      label: 'Edit',
      submenu: [{ role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }]
    },
    {
      label: 'View',
      submenu: [
        ...(dev
          ? ([{ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' }] as const)
          : []),
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' }
      ]
    },
    { role: 'windowMenu' }
  ]
  return Menu.buildFromTemplate(template)
}
