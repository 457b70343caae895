/**
 * The studio end to end, in real Chromium against `glossa serve` on a temp library: import a
 * generated folder through the UI, search Chinese and English substrings, edit and review with the
 * keyboard, undo/redo, reload to see it all persisted, and switch the UI language.
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import type { Locator, Page, TestInfo } from '@playwright/test'
import { expect, test } from './fixtures'

const ZH_TOWER = 10
const EN_TOWER = 10
const OTHER = 10
const BROKEN = 'broken.jpg'

/** ~30 small images with sidecar captions, plus one file that is not an image. */
async function makeFolder(): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'glossa-e2e-src-'))
  const dir = path.join(root, 'towers')
  await fs.mkdir(dir)
  const hue = (i: number): { r: number; g: number; b: number } => ({
    r: (i * 53) % 256,
    g: (i * 97) % 256,
    b: (i * 151) % 256
  })
  const jobs: Promise<unknown>[] = []
  const make = (name: string, i: number, caption: string | null): void => {
    const w = 64 + (i % 5) * 16
    const h = 48 + (i % 3) * 16
    jobs.push(
      sharp({ create: { width: w, height: h, channels: 3, background: hue(i) } })
        .png()
        .toFile(path.join(dir, `${name}.png`))
    )
    if (caption !== null) jobs.push(fs.writeFile(path.join(dir, `${name}.txt`), caption, 'utf8'))
  }
  for (let i = 0; i < ZH_TOWER; i++)
    make(`zh-tower-${String(i).padStart(2, '0')}`, i, `夜幕下的广州塔，第${i}张，灯光璀璨`)
  for (let i = 0; i < EN_TOWER; i++)
    make(`en-tower-${String(i).padStart(2, '0')}`, 100 + i, `A tall Tower at dusk, photo ${i}`)
  for (let i = 0; i < OTHER; i++)
    make(`cat-${String(i).padStart(2, '0')}`, 200 + i, i % 2 ? '一只橘猫坐在窗台上' : null)
  jobs.push(fs.writeFile(path.join(dir, BROKEN), 'this is not a jpeg'))
  await Promise.all(jobs)
  return { dir, cleanup: () => fs.rm(root, { recursive: true, force: true }) }
}

const total = (page: Page): Locator => page.getByTestId('grid-total')
const row = (page: Page, id: string): Locator =>
  page.locator(`[data-testid="grid-row"][data-id="${id}"]`)

/** A full-page screenshot kept in the test's output folder and attached to the report. */
async function shot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const file = testInfo.outputPath(`${name}.png`)
  await page.screenshot({ path: file })
  await testInfo.attach(name, { path: file, contentType: 'image/png' })
}

async function search(page: Page, q: string): Promise<void> {
  await page.getByTestId('search').fill(q)
}

test('import, search, edit, review with the keyboard, undo/redo, persist, switch language', async ({
  page,
  studio
}, testInfo) => {
  const src = await makeFolder()
  try {
    void studio // the app is open on a fresh library (fixtures.ts)
    await page.getByTestId('lang-en').click()

    // --- import through the UI (browser mode: the path is typed) and watch it finish
    await page.getByTestId('import-open').click()
    await page.getByTestId('import-path').fill(src.dir)
    await page.getByTestId('import-start').click()
    await expect(page.getByTestId('import-dialog')).toBeHidden()
    const job = page.getByTestId('job-card').first()
    await expect(job).toHaveAttribute('data-status', 'done')
    const files = ZH_TOWER + EN_TOWER + OTHER + 1
    await expect(job.getByTestId('job-count')).toHaveText(`${files} / ${files}`)
    // the file that is not an image is reported by name, with a reason
    const errors = job.getByTestId('job-errors')
    await expect(errors).toContainText(BROKEN)
    await expect(errors.locator('tbody tr')).toHaveCount(1)
    await expect(errors.locator('tbody td').nth(1)).not.toBeEmpty()

    // the dataset appears on the home screen with its count
    const card = page.getByTestId('dataset-card').filter({ hasText: 'towers' })
    // the file that is not an image is counted apart, so the statuses add up to the images
    await expect(card.getByTestId('dataset-images')).toHaveText(
      `${files - 1} images · 1 unreadable`
    )

    // --- the grid
    await job.getByTestId('job-open').click()
    await expect(page.getByTestId('grid')).toBeVisible()
    await expect(total(page)).toHaveAttribute('data-count', String(files))
    await expect(page.getByTestId('grid-row').first()).toBeVisible()

    // Chinese (two characters) and English substrings
    await search(page, '州塔')
    await expect(total(page)).toHaveAttribute('data-count', String(ZH_TOWER))
    await expect(page.getByTestId('grid-row')).toHaveCount(ZH_TOWER)
    await search(page, 'towe')
    await expect(total(page)).toHaveAttribute('data-count', String(EN_TOWER))
    await expect(page.getByTestId('grid-row')).toHaveCount(EN_TOWER)
    await search(page, '橘猫')
    await expect(total(page)).toHaveAttribute('data-count', String(OTHER / 2))
    await search(page, '')
    await expect(total(page)).toHaveAttribute('data-count', String(files))
    await shot(page, testInfo, 'grid')

    // --- `/` jumps to the search box; select a row, move with the keyboard, edit its zh caption
    await page.getByTestId('grid').focus()
    await page.keyboard.press('/')
    await expect(page.getByTestId('search')).toBeFocused()
    await page.keyboard.type('州塔')
    await expect(total(page)).toHaveAttribute('data-count', String(ZH_TOWER))
    const first = page.getByTestId('grid-row').first()
    await first.click()
    await expect(first).toHaveAttribute('aria-selected', 'true')
    await page.keyboard.press('j')
    const second = page.getByTestId('grid-row').nth(1)
    await expect(second).toHaveAttribute('aria-selected', 'true')
    await page.keyboard.press('k')
    await expect(first).toHaveAttribute('aria-selected', 'true')
    const id = await first.getAttribute('data-id')
    expect(id).toBeTruthy()

    const editor = page.getByTestId('editor')
    const zh = editor.getByTestId('editor-zh')
    await expect(zh).toHaveValue(/广州塔/)
    await expect(editor.getByTestId('editor-raw')).toContainText('广州塔')
    await page.keyboard.press('Enter')
    await expect(zh).toBeFocused()
    const edited = '夜幕下的广州塔倒映在珠江上，已人工校对'
    await zh.fill(edited)
    await expect(editor.getByTestId('zh-count')).toHaveText(`${[...edited].length} chars`)
    await page.keyboard.press('Escape')
    await expect(zh).not.toBeFocused()
    await expect(editor.getByTestId('save-state')).toHaveAttribute('data-state', 'saved')
    await expect(row(page, id!)).toContainText('珠江')

    // approve with the keyboard, undo, redo
    const status = editor.getByTestId('editor-status')
    await expect(status).toHaveText('unreviewed')
    await page.keyboard.press('a')
    // fast review: approving moves on to the next image; the grid shows the approval
    await expect(row(page, id!)).toContainText('Approved')
    await expect(second).toHaveAttribute('aria-selected', 'true')
    // undo says what it will undo, and undoing shows that image again
    await expect(page.getByTestId('undo-button')).toContainText('Undo: Approve zh-tower-00.png')
    await page.keyboard.press('Control+z')
    await expect(first).toHaveAttribute('aria-selected', 'true')
    await expect(status).toHaveText('unreviewed')
    await expect(row(page, id!)).toContainText('Unreviewed')
    await page.keyboard.press('Control+Shift+z')
    await expect(status).toHaveText('approved')
    await expect(row(page, id!)).toContainText('Approved')
    await shot(page, testInfo, 'editor')

    // the shortcut sheet opens with ? and keys are off while it is open
    await page.getByTestId('grid').focus()
    await page.keyboard.press('?')
    const sheet = page.getByTestId('shortcut-sheet')
    await expect(sheet).toBeVisible()
    await expect(sheet).toContainText('Approve')
    await page.keyboard.press('r')
    await page.keyboard.press('Escape')
    await expect(sheet).toBeHidden()
    await expect(status).toHaveText('approved')

    // --- reload: every change is still there
    await page.reload()
    await expect(total(page)).toHaveAttribute('data-count', String(files))
    await search(page, '珠江')
    await expect(total(page)).toHaveAttribute('data-count', '1')
    await row(page, id!).click()
    await expect(page.getByTestId('editor-zh')).toHaveValue(edited)
    await expect(page.getByTestId('editor-status')).toHaveText('approved')
    await expect(row(page, id!)).toContainText('Approved')
    await page.getByTestId('filter-status-approved').click()
    await search(page, '')
    await expect(total(page)).toHaveAttribute('data-count', '1')

    // --- switch the UI language, and it is remembered
    await page.getByTestId('lang-zh-CN').click()
    await expect(page.getByTestId('col-zh')).toHaveText('中文描述')
    await expect(page.getByTestId('status-approved')).toContainText('通过')
    await expect(total(page)).toHaveText('共 1 张')
    await page.reload()
    await expect(page.getByTestId('col-fileName')).toContainText('文件名')
    await page.getByTestId('lang-en').click()
    await expect(page.getByTestId('col-fileName')).toContainText('File name')

    // --- the theme switch pins light, then dark, then follows the system again
    const html = page.locator('html')
    await page.getByTestId('theme-switch').click()
    await expect(html).toHaveAttribute('data-theme', 'light')
    await page.getByTestId('theme-switch').click()
    await expect(html).toHaveAttribute('data-theme', 'dark')
    await shot(page, testInfo, 'grid-dark')
    await page.getByTestId('theme-switch').click()
    await expect(html).not.toHaveAttribute('data-theme', /./)
  } finally {
    await src.cleanup()
  }
})

test('the grid pages from the core as it scrolls and sorts on the server', async ({
  page,
  studio
}, testInfo) => {
  const N = 450 // more than two of the grid's 200-row pages
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'glossa-e2e-many-'))
  try {
    const dir = path.join(root, 'many')
    await fs.mkdir(dir)
    const png = await sharp({
      create: { width: 8, height: 8, channels: 3, background: { r: 90, g: 120, b: 200 } }
    })
      .png()
      .toBuffer()
    await Promise.all(
      Array.from({ length: N }, (_, i) => {
        const name = `img-${String(i).padStart(4, '0')}`
        return Promise.all([
          // distinct pixels so no two files are byte-identical
          sharp(png)
            .composite([
              {
                input: Buffer.from([i % 256, (i >> 8) % 256, 7, 255]),
                raw: { width: 1, height: 1, channels: 4 },
                left: 0,
                top: 0
              }
            ])
            .png()
            .toFile(path.join(dir, `${name}.png`)),
          fs.writeFile(path.join(dir, `${name}.txt`), `第${i}张图片 picture number ${i}`)
        ])
      })
    )
    // the UI import is covered above; here the core imports directly
    const { jobId } = await studio.core.call('import.start', { dir })
    const job = await studio.core.waitForJob(jobId)
    expect(job.status).toBe('done')

    await page.reload()
    await page.getByTestId('dataset-card').filter({ hasText: 'many' }).click()
    await expect(page.getByTestId('grid-total')).toHaveAttribute('data-count', String(N))
    const grid = page.getByTestId('grid')
    const lastName = `img-${String(N - 1).padStart(4, '0')}.png`
    const last = page.locator('[data-testid="grid-row"]').filter({ hasText: lastName })
    // scroll to the end until the last page has been fetched and the last row is drawn
    await expect(async () => {
      await grid.evaluate((el) => el.scrollTo({ top: el.scrollHeight }))
      await expect(last).toBeVisible({ timeout: 1000 })
    }).toPass({ timeout: 30_000 })
    // virtualised: far fewer rows in the DOM than loaded
    expect(await page.getByTestId('grid-row').count()).toBeLessThan(60)
    await shot(page, testInfo, 'grid-scrolled')

    // sorting happens in SQLite: descending by name puts the last file first
    await page.getByTestId('col-fileName').click()
    await expect(page.getByTestId('col-fileName')).toHaveAttribute('aria-sort', 'descending')
    await expect(page.getByTestId('grid-row').first()).toContainText(lastName)
    await page.getByTestId('col-fileName').click()
    await expect(page.getByTestId('grid-row').first()).toContainText('img-0000.png')

    // keyboard moves scroll the selection into view
    await page.getByTestId('grid-row').first().click()
    for (let i = 0; i < 30; i++) await page.keyboard.press('ArrowDown')
    await expect(page.locator('[data-testid="grid-row"][aria-selected="true"]')).toContainText(
      'img-0030.png'
    )
    await expect(page.locator('[data-testid="grid-row"][aria-selected="true"]')).toBeInViewport()
  } finally {
    await fs.rm(root, { recursive: true, force: true })
  }
})
