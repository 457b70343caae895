/**
 * Where Glossa keeps its data when nobody says otherwise. Environment-free: the caller passes the
 * platform, the environment and the home folder (`process.platform`, `process.env`,
 * `os.homedir()`), so the Electron app, `glossa serve`, the CLI and `npm start` agree on one
 * library.
 *
 * - Linux and other Unixes: `$XDG_DATA_HOME/glossa`, else `~/.local/share/glossa`
 * - macOS: `~/Library/Application Support/glossa`
 * - Windows: `%APPDATA%\glossa`, else `~\AppData\Roaming\glossa`
 * - `GLOSSA_DATA_DIR` overrides all of them.
 */
export interface DataDirInput {
  platform: string
  env: Record<string, string | undefined>
  home: string
}

export const APP_DIR_NAME = 'glossa'

function join(sep: '/' | '\\', ...parts: string[]): string {
  return parts
    .map((p, i) => (i === 0 ? p.replace(/[\\/]+$/, '') : p.replace(/^[\\/]+|[\\/]+$/g, '')))
    .filter((p, i) => i === 0 || p !== '')
    .join(sep)
}

export function defaultDataDir({ platform, env, home }: DataDirInput): string {
  const override = env.GLOSSA_DATA_DIR?.trim()
  if (override) return override
  if (platform === 'win32') {
    const appData = env.APPDATA?.trim()
    return appData
      ? join('\\', appData, APP_DIR_NAME)
      : join('\\', home, 'AppData', 'Roaming', APP_DIR_NAME)
  }
  if (platform === 'darwin') return join('/', home, 'Library', 'Application Support', APP_DIR_NAME)
  const xdg = env.XDG_DATA_HOME?.trim()
  // The XDG spec says relative values are invalid and must be ignored.
  if (xdg && xdg.startsWith('/')) return join('/', xdg, APP_DIR_NAME)
  return join('/', home, '.local', 'share', APP_DIR_NAME)
}

/** The library file inside a data folder. */
export function defaultLibraryFile(dataDir: string, platform: string): string {
  return join(platform === 'win32' ? '\\' : '/', dataDir, 'library.sqlite')
}
