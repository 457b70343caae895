import { defineConfig } from '@playwright/test'

/**
 * End-to-end tests: the studio in real Chromium against browser mode (`test/e2e/fixtures.ts`
 * starts it in-process on a temp library), and the Electron window where Electron's binary is
 * installed (`test/e2e/electron.spec.ts` skips with its reason otherwise). Needs `npm run build`.
 * Chromium: Debian's /usr/bin/chromium, or the browser named by GLOSSA_CHROMIUM.
 */
export default defineConfig({
  testDir: 'test/e2e',
  outputDir: 'test-results',
  timeout: 180_000,
  expect: { timeout: 20_000 },
  workers: 1,
  retries: 0,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    browserName: 'chromium',
    viewport: { width: 1440, height: 900 },
    screenshot: 'on',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.GLOSSA_CHROMIUM || '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
        '--no-first-run'
      ]
    }
  }
})
