/**
 * Electron security decisions as pure functions (no electron import at run time), so they are
 * unit-tested in plain Node: window options, which frames may call the API, which navigations
 * are allowed, and the custom scheme's privileges.
 */
import type { BrowserWindowConstructorOptions, CustomScheme } from 'electron'

/** The renderer lives at glossa://app/index.html; media at glossa://app/media/<variant>/<id>. */
export const SCHEME = 'glossa'
export const APP_HOST = 'app'
export const APP_URL = `${SCHEME}://${APP_HOST}/index.html`

export const SCHEME_PRIVILEGES: CustomScheme = {
  scheme: SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true }
}

export function windowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1440,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Glossa',
    backgroundColor: '#1e1e1e',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false
    }
  }
}

/** The origin string of a URL, computed by hand for our non-special scheme (Node says 'null'). */
function originOf(url: string): string | null {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return null
  }
  if (u.protocol === `${SCHEME}:`) {
    const ok = u.host.toLowerCase() === APP_HOST && !u.username && !u.password
    return ok ? `${SCHEME}://${APP_HOST}` : null
  }
  if (u.protocol === 'http:' || u.protocol === 'https:') return u.origin
  return null
}

/**
 * Only our own pages may use the API: the app origin `glossa://app`, and in development the
 * Vite dev server named by ELECTRON_RENDERER_URL. Anything else (other schemes, file://,
 * about:blank, data:, a navigated-away frame) is refused.
 */
export function isAllowedSender(
  frameUrl: string | null | undefined,
  devUrl?: string | null
): boolean {
  if (!frameUrl) return false
  const origin = originOf(frameUrl)
  if (!origin) return false
  if (origin === `${SCHEME}://${APP_HOST}`) return true
  if (devUrl) {
    const dev = originOf(devUrl)
    return dev !== null && dev.startsWith('http') && dev === origin
  }
  return false
}

/** Navigation is allowed only within our own pages (a reload of the app, HMR in development). */
export function isAllowedNavigation(url: string, devUrl?: string | null): boolean {
  return isAllowedSender(url, devUrl)
}
