/**
 * The README's screenshots, taken by the suite at 1366×768 in English and Chinese: the grid, the
 * editor with a portrait image, the cleanup preview, the glossary apply preview, the statistics
 * and the export report. They land in the test's output folder; with GLOSSA_SCREENSHOTS=1
 * (`npm run screenshots`) they are also copied to docs/screenshots/.
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import type { Page, TestInfo } from '@playwright/test'
import { expect, ROOT, test } from './fixtures'
import { openAction } from './studio-ui'

/** What the spec reads of an <img> in the page (the node tsconfig has no DOM types). */
interface Img {
  naturalHeight: number
}

const DOCS = path.join(ROOT, 'docs', 'screenshots')
const CSV = path.join(ROOT, 'test/fixtures/glossary/landmarks.csv')

const CAPTIONS = [
  '远处的廣州塔在夜色中闪耀，灯光倒映在珠江上。#广州 #夜景 https://example.com/p/1',
  'Guangzhou Tower at dusk, lights along the river. #travel #china',
  '一只橘猫坐在窗台上晒太阳。图片来源：网络',
  'A red fox in the snow, looking at the camera. Photo by @someone',
  '小蛮腰和珠江夜景，游船驶过。',
  'The Bund at night with old buildings lit up. www.example.com',
  '穿着汉服的女孩站在古老的石桥上。',
  'A bowl of beef noodles on a wooden table.'
]

async function makeFolder(root: string): Promise<string> {
  const dir = path.join(root, 'canton')
  await fs.mkdir(dir, { recursive: true })
  for (let i = 0; i < CAPTIONS.length; i++) {
    const portrait = i % 3 === 0
    const [w, h] = portrait ? [576, 1024] : [1024, 640]
    const hue = [
      [28, 40, 90],
      [180, 90, 40],
      [60, 120, 70],
      [150, 60, 60]
    ][i % 4]!
    const svg = `<svg width="${w}" height="${h}"><defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="rgb(${hue.join(',')})"/><stop offset="1" stop-color="#111"/></linearGradient></defs><rect width="${w}" height="${h}" fill="url(#g)"/><rect x="${w / 2 - w / 16}" y="${h / 6}" width="${w / 8}" height="${(h * 2) / 3}" fill="#f2c14e" opacity="0.85"/><circle cx="${w * 0.8}" cy="${h * 0.15}" r="${Math.min(w, h) / 12}" fill="#fff" opacity="0.8"/></svg>`
    await sharp(Buffer.from(svg))
      .png()
      .toFile(path.join(dir, `photo-${String(i + 1).padStart(2, '0')}.png`))
    await fs.writeFile(
      path.join(dir, `photo-${String(i + 1).padStart(2, '0')}.txt`),
      CAPTIONS[i]!,
      'utf8'
    )
  }
  return dir
}

async function save(page: Page, info: TestInfo, name: string): Promise<void> {
  const file = info.outputPath(`${name}.png`)
  await page.screenshot({ path: file })
  await info.attach(name, { path: file, contentType: 'image/png' })
  if (process.env.GLOSSA_SCREENSHOTS) {
    await fs.mkdir(DOCS, { recursive: true })
    await fs.copyFile(file, path.join(DOCS, `${name}.png`))
  }
}

for (const lang of ['en', 'zh-CN'] as const) {
  const suffix = lang === 'en' ? '' : '-zh'
  test(`README screenshots (${lang})`, async ({ page, studio }, info) => {
    await page.setViewportSize({ width: 1366, height: 768 })
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'glossa-e2e-shots-'))
    try {
      const dir = await makeFolder(root)
      const { jobId, datasetId } = await studio.core.call('import.start', { dir })
      expect((await studio.core.waitForJob(jobId)).status).toBe('done')
      await studio.core.call('glossary.import', { file: CSV })
      const rows = (await studio.core.call('images.page', { filter: { datasetId }, limit: 20 }))
        .rows
      await studio.core.call('images.setStatus', {
        ids: rows.slice(0, 3).map((r) => r.id),
        status: 'approved'
      })
      await studio.core.call('images.setStatus', { ids: [rows[4]!.id], status: 'needs-work' })
      await studio.core.call('images.setStatus', { ids: [rows[6]!.id], status: 'rejected' })
      await page.getByTestId(`lang-${lang}`).click()
      await page.goto(`${studio.origin}/#/datasets/${datasetId}`)
      await expect(page.getByTestId('grid-row')).toHaveCount(CAPTIONS.length)
      // the finished import's card would cover the editor
      for (const b of await page.getByTestId('job-dismiss').all()) await b.click()

      // the grid, and the editor with a portrait image
      await page.getByTestId('grid-row').nth(1).click()
      await page.waitForLoadState('networkidle')
      await save(page, info, `grid${suffix}`)
      await page.getByTestId('grid-row').nth(3).click()
      await expect
        .poll(() =>
          page.getByTestId('editor-preview').evaluate((el) => (el as unknown as Img).naturalHeight)
        )
        .toBe(1024)
      await page.waitForLoadState('networkidle')
      await save(page, info, `editor-portrait${suffix}`)

      // the cleanup preview
      await openAction(page, 'cleanup-open')
      await expect(page.getByTestId('cleanup-item').first()).toBeVisible()
      await page.waitForLoadState('networkidle')
      await save(page, info, `cleanup-preview${suffix}`)
      await page.keyboard.press('Escape')

      // the glossary apply preview
      await openAction(page, 'apply-open')
      await expect(page.getByTestId('proposal').first()).toBeVisible()
      await save(page, info, `glossary-apply${suffix}`)
      await page.keyboard.press('Escape')

      // the statistics
      await page.getByTestId('nav-stats').click()
      await expect(page.getByTestId('stats-page')).toBeVisible()
      await page.waitForLoadState('networkidle')
      await page.waitForTimeout(600) // the charts' entry animation
      await save(page, info, `stats${suffix}`)

      // the export report
      await page.getByTestId('nav-grid').click()
      await openAction(page, 'export-open')
      await page.getByTestId('export-status-any').check()
      await page.getByTestId('export-destination').fill(path.join(root, 'kohya-out'))
      await expect(page.getByTestId('export-dest-problem')).toHaveCount(0)
      await expect(page.getByTestId('export-start')).toBeEnabled()
      await page.getByTestId('export-start').click()
      await expect(page.getByTestId('export-report')).toHaveAttribute('data-ok', 'true')
      await save(page, info, `export-report${suffix}`)
    } finally {
      await fs.rm(root, { recursive: true, force: true })
    }
  })
}
