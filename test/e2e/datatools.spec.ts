/**
 * Data tools end to end, in real Chromium against browser mode on a temp library: the import
 * wizard on a scraped-style folder (captions with URLs, HTML, hashtags, @mentions and 图片来源
 * boilerplate) shows the detected format and the first rows; the cleanup panel previews per-rule
 * counts and diffs, tests a user rule live, applies as one batch and Ctrl+Z undoes it; the export
 * wizard refuses a destination inside the source, shows the dry-run summary with where each
 * caption comes from (Chinese-only captions fall back to Chinese rather than the folder name),
 * exports to kohya and shows the validation report (at 1366×768). Screenshots are attached.
 */
import fs from 'node:fs/promises'
import { existsSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import type { Page, TestInfo } from '@playwright/test'
import type { Core } from '../../src-main/core'
import { expect, test } from './fixtures'
import { openAction } from './studio-ui'

/** stem → sidecar text: what a scraper leaves behind */
const SCRAPED: Record<string, string> = {
  fox: 'A red fox in the snow https://example.com/fox.jpg #wildlife #fox',
  lake: '<p>A <b>blue</b> lake at dawn</p> &amp; mountains',
  cat: '一只橘猫坐在窗台上。图片来源：网络',
  street: 'A city street at night @citypics https://pics.example.org/s/1',
  tower: '夜幕下的广州塔，灯光璀璨 #广州',
  garden: 'A quiet garden with a stone bridge'
}
const CLEANED: Record<string, { zh?: string; en?: string }> = {
  fox: { en: 'A red fox in the snow' },
  lake: { en: 'A blue lake at sunrise & mountains' }, // "dawn" → "sunrise": the user rule
  cat: { zh: '一只橘猫坐在窗台上。' },
  street: { en: 'A city street at night' },
  tower: { zh: '夜幕下的广州塔，灯光璀璨' },
  garden: { en: 'A quiet garden with a stone bridge' }
}

async function makeFolder(root: string): Promise<string> {
  const dir = path.join(root, 'scraped')
  await fs.mkdir(dir)
  let i = 0
  for (const [stem, text] of Object.entries(SCRAPED)) {
    await sharp({
      create: {
        width: 64 + i * 8,
        height: 48,
        channels: 3,
        background: { r: i * 40, g: 80, b: 160 }
      }
    })
      .png()
      .toFile(path.join(dir, `${stem}.png`))
    await fs.writeFile(path.join(dir, `${stem}.txt`), text, 'utf8')
    i++
  }
  return dir
}

async function shot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const file = testInfo.outputPath(`${name}.png`)
  await page.screenshot({ path: file })
  await testInfo.attach(name, { path: file, contentType: 'image/png' })
}

/** stem → the current captions, straight from the core */
async function captions(
  core: Core,
  datasetId: number
): Promise<Record<string, { zh: string; en: string }>> {
  const page = await core.call('images.page', { filter: { datasetId }, limit: 100 })
  return Object.fromEntries(
    page.rows.map((r) => [r.fileName.replace(/\.png$/, ''), { zh: r.zh, en: r.en }])
  )
}

test('import wizard, cleanup preview/apply/undo, export to kohya with the validation report', async ({
  page,
  studio
}, testInfo) => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'glossa-e2e-dt-'))
  try {
    const src = await makeFolder(root)
    await page.getByTestId('lang-en').click()

    // --- import wizard: detect, preview rows, import
    await page.getByTestId('import-open').click()
    await page.getByTestId('import-path').fill(src)
    await page.getByTestId('import-name').fill('scraped')
    await page.getByTestId('import-detect').click()
    await expect(page.getByTestId('import-detected')).toHaveAttribute('data-format', 'folder')
    const rows = page.getByTestId('import-preview-row')
    await expect(rows).toHaveCount(Object.keys(SCRAPED).length)
    await expect(page.getByTestId('import-preview')).toContainText('图片来源：网络')
    await expect(page.getByTestId('import-preview')).toContainText('https://example.com/fox.jpg')
    await expect(page.getByTestId('import-format')).toHaveValue('folder')
    await shot(page, testInfo, '1-import-wizard')
    await page.getByTestId('import-start').click()
    await expect(page.getByTestId('import-dialog')).toBeHidden()
    await expect(page.getByTestId('job-card').first()).toHaveAttribute('data-status', 'done')
    const ds = await studio.core.call('datasets.get', { name: 'scraped' })
    const before = await captions(studio.core, ds.id)
    expect(before.fox?.en).toBe(SCRAPED.fox)

    await page.getByTestId('dataset-card').filter({ hasText: 'scraped' }).click()
    await expect(page.getByTestId('grid-total')).toContainText('6')

    // --- cleanup: live counts per rule and diffs
    await openAction(page, 'cleanup-open')
    const panel = page.getByTestId('cleanup-panel')
    await expect(page.getByTestId('cleanup-preset-web-scrape')).toBeChecked()
    await expect(panel.locator('[data-testid="cleanup-total"][data-rule="url"]')).toHaveText(
      'URLs removed: 2'
    )
    await expect(panel.locator('[data-testid="cleanup-total"][data-rule="hashtag"]')).toHaveText(
      'Hashtags removed: 3'
    )
    await expect(panel.locator('[data-testid="cleanup-rule"][data-rule="url"]')).toHaveAttribute(
      'data-count',
      '2'
    )
    await expect(page.getByTestId('cleanup-summary')).toHaveAttribute('data-changed', '5')
    await expect(page.getByTestId('cleanup-item')).toHaveCount(5)
    const catDiff = panel.locator('[data-testid="cleanup-item"][data-file="cat.png"]')
    await expect(catDiff.locator('del')).toHaveText('图片来源：网络')

    // turning a rule off updates the counts and the diffs
    await page.getByTestId('cleanup-toggle-url').uncheck()
    await expect(panel.locator('[data-testid="cleanup-total"][data-rule="url"]')).toHaveCount(0)
    await expect(
      panel.locator('[data-testid="cleanup-item"][data-file="street.png"] del')
    ).not.toContainText(['https'])
    await page.getByTestId('cleanup-toggle-url').check()
    await expect(panel.locator('[data-testid="cleanup-total"][data-rule="url"]')).toHaveText(
      'URLs removed: 2'
    )

    // a user rule, tested live on a sample, then part of the preview
    await page.getByTestId('user-rule-add').click()
    await page.getByTestId('user-rule-sample').fill('a lake at dawn')
    await page.getByTestId('user-rule-find').fill('dawn')
    await page.getByTestId('user-rule-replace').fill('sunrise')
    await expect(page.getByTestId('user-rule-result')).toContainText('a lake at sunrise')
    await expect(page.getByTestId('user-rule-result')).toHaveAttribute('data-count', '1')
    await page.getByTestId('user-rule-regex').check()
    await page.getByTestId('user-rule-find').fill('(dawn')
    await expect(page.getByTestId('user-rule-error')).toBeVisible()
    await page.getByTestId('user-rule-find').fill('\\bdawn\\b')
    await expect(page.getByTestId('user-rule-result')).toContainText('a lake at sunrise')
    await page.getByTestId('user-rules-save').click()
    await expect(page.getByTestId('user-rules-save')).toBeDisabled()
    // the button turns off as the save starts: wait for the library to have the rule
    await expect
      .poll(async () => (await studio.core.call('cleanup.rules.get', { datasetId: ds.id })).rules)
      .toHaveLength(1)
    await expect(
      panel.locator('[data-testid="cleanup-item"][data-file="lake.png"] ins')
    ).toContainText(['sunrise'])
    // the user rule is counted under "find → replace"
    await expect(
      panel.locator('[data-testid="cleanup-total"]').filter({ hasText: '\\bdawn\\b → sunrise: 1' })
    ).toHaveCount(1)
    await shot(page, testInfo, '2-cleanup-preview')

    // apply → one batch
    await expect(page.getByTestId('cleanup-apply')).toBeEnabled()
    await page.getByTestId('cleanup-apply').click()
    await expect(panel).toBeHidden()
    await expect(page.getByTestId('toast-info').last()).toContainText('Cleaned 5 images')
    await expect
      .poll(async () => captions(studio.core, ds.id))
      .toEqual(
        Object.fromEntries(
          Object.entries(CLEANED).map(([k, v]) => [k, { zh: v.zh ?? '', en: v.en ?? '' }])
        )
      )
    await expect(
      page.locator('[data-testid="grid-row"]').filter({ hasText: 'fox.png' })
    ).not.toContainText('https://')
    await shot(page, testInfo, '3-cleanup-applied')

    // Ctrl+Z undoes the whole cleanup
    await page.locator('body').click({ position: { x: 5, y: 5 } })
    await page.keyboard.press('Control+z')
    await expect(page.getByTestId('toast-info').last()).toContainText('Cleanup')
    await expect.poll(async () => captions(studio.core, ds.id)).toEqual(before)

    // apply again (for the export)
    await openAction(page, 'cleanup-open')
    await expect(page.getByTestId('cleanup-summary')).toHaveAttribute('data-changed', '5')
    await page.getByTestId('cleanup-apply').click()
    await expect(page.getByTestId('cleanup-panel')).toBeHidden()
    await expect
      .poll(async () => (await captions(studio.core, ds.id)).fox?.en)
      .toBe('A red fox in the snow')

    // --- export: approved-only by default refuses (nothing approved), then every image
    await page.setViewportSize({ width: 1366, height: 768 })
    await openAction(page, 'export-open')
    await expect(page.getByTestId('export-plan-error')).toContainText('approved')
    await page.getByTestId('export-status-any').check()
    const inside = path.join(src, 'export')
    await page.getByTestId('export-destination').fill(inside)
    await expect(page.getByTestId('export-dest-problem')).toContainText('inside the source')
    await expect(page.getByTestId('export-start')).toBeDisabled()
    const out = path.join(root, 'kohya-out')
    await page.getByTestId('export-destination').fill(out)
    await page.getByTestId('export-repeats').fill('3')
    await expect(page.getByTestId('export-plan')).toHaveAttribute('data-images', '6')
    await expect(
      page.locator('[data-testid="export-plan-subset"][data-folder="img/3_images"]')
    ).toBeVisible()
    await expect(page.getByTestId('export-dest-problem')).toHaveCount(0)
    // where the captions come from, up front: kohya's default is English first, and the two
    // Chinese-only captions fall back to Chinese instead of becoming the folder name
    await expect(page.getByTestId('export-language-auto')).toBeChecked()
    await expect(page.getByTestId('export-language-hint')).toContainText('English first')
    const source = (s: string) => page.locator(`[data-testid="export-source"][data-source="${s}"]`)
    await expect(source('en')).toHaveAttribute('data-count', '4')
    await expect(source('fallback-zh')).toHaveAttribute('data-count', '2')
    await expect(source('fallback-zh')).toBeVisible()
    await expect(source('class')).toHaveCount(0)
    await expect(page.getByTestId('export-paths')).toHaveAttribute('data-paths', 'relative')
    await shot(page, testInfo, '4-export-plan')
    await page.getByTestId('export-start').click()
    const report = page.getByTestId('export-report')
    await expect(report).toHaveAttribute('data-ok', 'true')
    await expect(page.getByTestId('export-report-verdict')).toContainText(
      'Valid: all 6 images train on their approved caption'
    )
    await expect(page.getByTestId('export-report-fallbacks')).toContainText(
      '2 use the other language'
    )
    await expect(page.locator('[data-testid="export-report-subset"]')).toHaveCount(1)
    await expect(page.locator('[data-testid="export-report-subset"]')).toContainText('3_images')
    await shot(page, testInfo, '5-export-report')

    // what the report says is on disk
    const dir = path.join(out, 'img', '3_images')
    for (const stem of Object.keys(SCRAPED)) {
      expect(existsSync(path.join(dir, `${stem}.png`)), stem).toBe(true)
    }
    expect(await fs.readFile(path.join(dir, 'fox.txt'), 'utf8')).toBe('A red fox in the snow\n')
    expect(await fs.readFile(path.join(dir, 'cat.txt'), 'utf8')).toBe('一只橘猫坐在窗台上。\n')
    expect(await fs.readFile(path.join(out, 'dataset_config.toml'), 'utf8')).toContain(
      'image_dir = "img/3_images"'
    )
    expect(existsSync(path.join(out, 'README.txt'))).toBe(true)
    expect(existsSync(path.join(out, 'dataset_config.toml'))).toBe(true)
    expect(existsSync(inside)).toBe(false)
    // the job panel shows the export as done
    await page.getByTestId('export-close').click()
    await expect(page.locator('[data-testid="job-card"][data-status="done"]')).toHaveCount(2)
  } finally {
    await fs.rm(root, { recursive: true, force: true })
  }
})
