/**
 * The desktop window, launched with Playwright's `_electron`: it opens, has its title, exposes
 * `window.glossa` and nothing of Node. Runs wherever Electron's binary (and better-sqlite3 built
 * for Electron's ABI) are installed; elsewhere it is skipped with the reason in the report.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { _electron as electron, expect, test } from '@playwright/test'
import type { GlossaBridge } from '../../src-main/shared/client'
import { ROOT, electronNativeBinding, findElectronBinary } from '../../scripts/electron-env.mjs'

const bin = findElectronBinary(ROOT)
const native = electronNativeBinding(ROOT)
const built = path.join(ROOT, 'out', 'main', 'index.js')

const skipReason = !bin.available
  ? `Electron binary not installed: ${bin.reason} — this machine cannot download it`
  : !fs.existsSync(native)
    ? `better-sqlite3 is not built for Electron's ABI: ${native} is missing — run \`node scripts/build-electron-native.mjs\` (needs the network once)`
    : !fs.existsSync(built)
      ? `${built} is missing — run \`npm run build\``
      : null
if (skipReason) console.log(`electron.spec.ts skipped: ${skipReason}`)

test.describe('Electron window', () => {
  test.skip(skipReason !== null, skipReason ?? '')

  // eslint-disable-next-line no-empty-pattern -- Playwright needs the destructuring form
  test('opens the studio with an isolated, sandboxed page', async ({}, testInfo) => {
    const dataDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'glossa-electron-e2e-'))
    const rootUser = typeof process.getuid === 'function' && process.getuid() === 0
    const app = await electron.launch({
      executablePath: bin.path!,
      args: [...(rootUser ? ['--no-sandbox'] : []), ROOT],
      cwd: ROOT,
      env: { ...process.env, GLOSSA_DATA_DIR: dataDir, ELECTRON_RENDERER_URL: '' }
    })
    try {
      const win = await app.firstWindow()
      await win.waitForLoadState('domcontentloaded')
      await expect(win).toHaveTitle(/Glossa/)
      expect(win.url()).toBe('glossa://app/index.html')
      expect(await win.evaluate(() => typeof (globalThis as { glossa?: unknown }).glossa)).toBe(
        'object'
      )
      expect(await win.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe(
        'undefined'
      )
      expect(await win.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe(
        'undefined'
      )
      const info = await win.evaluate(() =>
        (globalThis as { glossa?: GlossaBridge }).glossa!.call('library.info', {})
      )
      expect(info.dataDir).toBe(dataDir)
      const code = await win.evaluate(() =>
        (globalThis as { glossa?: GlossaBridge })
          .glossa!.call('fs.readFile' as 'library.info', {})
          .then(
            () => 'resolved',
            (e: { code?: string }) => e.code
          )
      )
      expect(code).toBe('UNKNOWN_METHOD')
      expect(
        await win.evaluate(
          () =>
            (globalThis as unknown as { open(u: string): unknown }).open('https://example.com/') ===
            null
        )
      ).toBe(true)
      await testInfo.attach('electron-window', {
        body: await win.screenshot(),
        contentType: 'image/png'
      })
    } finally {
      await app.close()
      await fs.promises.rm(dataDir, { recursive: true, force: true })
    }
  })
})
