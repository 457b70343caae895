/**
 * The studio an annotator lives in all day (issue 15), at 1366×768 and 1920×1080: the editor
 * shows the whole image and both captions, zooms full-window and preloads its neighbours; one
 * toolbar row with tabs, panels that overlay; datasets renamed and deleted undoably; empty and
 * interrupted imports; the import wizard's totals, path check and folder browser; job failures
 * in words; undo that says what it undoes and leaves typing undo to text boxes; fast review; and
 * an axe-core scan of every page with no serious or critical violation.
 */
import fs from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import AxeBuilder from '@axe-core/playwright'
import sharp from 'sharp'
import type { Locator, Page, TestInfo } from '@playwright/test'
import { expect, test } from './fixtures'
import { openAction } from './studio-ui'

/** What the specs read of an <img> in the page (the node tsconfig has no DOM types). */
interface Img {
  naturalWidth: number
  naturalHeight: number
  getBoundingClientRect(): { width: number; height: number }
}

const VIEWPORTS = [
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 }
] as const

/** 6 images: portraits (576×1024) and landscapes, half with captions; one orphan caption. */
async function makeFolder(root: string, name = 'daily'): Promise<string> {
  const dir = path.join(root, name)
  await fs.mkdir(dir, { recursive: true })
  for (let i = 0; i < 6; i++) {
    const portrait = i % 2 === 0
    const [w, h] = portrait ? [576, 1024] : [960, 540]
    const svg = `<svg width="${w}" height="${h}"><rect x="6" y="6" width="${w - 12}" height="${h - 12}" fill="none" stroke="#fff" stroke-width="12"/><text x="50%" y="50%" font-size="96" fill="#fff" text-anchor="middle">${i}</text></svg>`
    await sharp({
      create: { width: w, height: h, channels: 3, background: { r: 40 + i * 30, g: 110, b: 180 } }
    })
      .composite([{ input: Buffer.from(svg) }])
      .png()
      .toFile(path.join(dir, `img${i}.png`))
    if (i < 3)
      await fs.writeFile(
        path.join(dir, `img${i}.txt`),
        `夜幕下的广州塔，第${i}张，灯光璀璨，远处是珠江。`
      )
  }
  await fs.writeFile(path.join(dir, 'orphan.txt'), 'a caption whose image is gone')
  return dir
}

async function shot(page: Page, info: TestInfo, name: string): Promise<void> {
  const file = info.outputPath(`${name}.png`)
  await page.screenshot({ path: file })
  await info.attach(name, { path: file, contentType: 'image/png' })
}

/** Serious and critical axe-core violations on the page as it is now. */
async function axe(page: Page, what: string): Promise<void> {
  const r = await new AxeBuilder({ page }).analyze()
  const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  expect(
    bad.map(
      (v) => `${what}: ${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`
    ),
    `axe on ${what}`
  ).toEqual([])
}

async function importThroughWizard(page: Page, dir: string): Promise<void> {
  await page.getByTestId('import-open').click()
  await page.getByTestId('import-path').fill(dir)
  await expect(page.getByTestId('import-totals')).toBeVisible()
  await page.getByTestId('import-start').click()
  await expect(page.getByTestId('import-dialog')).toBeHidden()
  await expect(page.getByTestId('job-card').first()).toHaveAttribute('data-status', 'done')
}

const inViewport = async (page: Page, l: Locator): Promise<boolean> => {
  const b = await l.boundingBox()
  const v = page.viewportSize()!
  return !!b && b.y >= 0 && b.x >= 0 && b.y + b.height <= v.height && b.x + b.width <= v.width
}

for (const vp of VIEWPORTS) {
  const at = `${vp.width}x${vp.height}`

  test(`${at}: the editor shows the whole image and both captions, zooms, preloads; one toolbar row; undo and fast review`, async ({
    page,
    studio
  }, info) => {
    void studio
    await page.setViewportSize(vp)
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'glossa-e2e-daily-'))
    try {
      await page.getByTestId('lang-en').click()
      await importThroughWizard(page, await makeFolder(root))
      await page.getByTestId('job-open').first().click()
      await axe(page, 'dataset page')

      // --- one toolbar row: tabs, filters, panels, actions, all on one line
      const toolbar = page.getByRole('toolbar')
      const tb = (await toolbar.boundingBox())!
      expect(tb.height).toBeLessThanOrEqual(52)
      for (const id of [
        'nav-grid',
        'nav-stats',
        'nav-dupes',
        'search',
        'filter-more',
        'tags-toggle',
        'lint-filter',
        'dataset-actions'
      ]) {
        const b = (await page.getByTestId(id).boundingBox())!
        expect(b.y, id).toBeGreaterThanOrEqual(tb.y)
        expect(b.y + b.height, id).toBeLessThanOrEqual(tb.y + tb.height)
      }
      await expect(page.getByTestId('nav-grid')).toHaveAttribute('aria-current', 'page')

      // --- the portrait image, whole, with both captions on screen
      const portrait = page.getByTestId('grid-row').filter({ hasText: 'img0.png' })
      await portrait.click()
      const img = page.getByTestId('editor-preview')
      await expect(img).toBeVisible()
      await expect.poll(() => img.evaluate((el) => (el as unknown as Img).naturalHeight)).toBe(1024)
      // letterboxed: the picture (object-fit contain) lies inside its box
      const fit = await img.evaluate((el) => {
        const i = el as unknown as Img
        const box = i.getBoundingClientRect()
        const scale = Math.min(box.width / i.naturalWidth, box.height / i.naturalHeight)
        return {
          w: i.naturalWidth * scale,
          h: i.naturalHeight * scale,
          bw: box.width,
          bh: box.height,
          fit: (
            globalThis as unknown as { getComputedStyle(e: unknown): { objectFit: string } }
          ).getComputedStyle(i).objectFit
        }
      })
      expect(fit.fit).toBe('contain')
      expect(fit.h).toBeLessThanOrEqual(fit.bh + 0.5)
      expect(fit.w).toBeLessThanOrEqual(fit.bw + 0.5)
      expect(await inViewport(page, img)).toBe(true)
      expect(await inViewport(page, page.getByTestId('editor-zh'))).toBe(true)
      expect(await inViewport(page, page.getByTestId('editor-en'))).toBe(true)
      await shot(page, info, 'editor-portrait')

      // the next image's preview is fetched ahead of time
      const rows = page.getByTestId('grid-row')
      const nextId = await rows.nth(1).getAttribute('data-id')
      await expect
        .poll(() =>
          page.evaluate(
            (id) =>
              performance
                .getEntriesByType('resource')
                .some((r) => r.name.endsWith(`/media/preview/${id}`)),
            nextId
          )
        )
        .toBe(true)

      // --- zoom: a click opens the whole window, a click goes 1:1, Esc closes; z toggles too
      await img.click()
      const zoom = page.getByTestId('image-zoom')
      await expect(zoom).toBeVisible()
      await expect(zoom).toHaveAttribute('data-mode', 'fit')
      await expect
        .poll(() =>
          page.getByTestId('zoom-image').evaluate((el) => (el as unknown as Img).naturalWidth)
        )
        .toBe(576)
      // fitted: the whole picture inside the window (letterboxed in the stage)
      const zb = (await page.getByTestId('zoom-image').boundingBox())!
      expect(zb.height).toBeLessThanOrEqual(vp.height)
      expect(
        await page
          .getByTestId('zoom-image')
          .evaluate(
            (el) =>
              (
                globalThis as unknown as { getComputedStyle(e: unknown): { objectFit: string } }
              ).getComputedStyle(el).objectFit
          )
      ).toBe('contain')
      await axe(page, 'zoom')
      await page.getByTestId('zoom-image').click()
      await expect(zoom).toHaveAttribute('data-mode', 'actual')
      await expect
        .poll(async () => (await page.getByTestId('zoom-image').boundingBox())!.height)
        .toBe(1024)
      await shot(page, info, 'zoom-actual')
      await page.keyboard.press('Escape')
      await expect(zoom).toBeHidden()
      await page.getByTestId('grid').focus()
      await page.keyboard.press('z')
      await expect(zoom).toBeVisible()
      await page.keyboard.press('z')
      await expect(zoom).toBeHidden()

      // --- the editor is resizable: dragging the splitter gives it more room
      const editor = page.getByTestId('editor')
      const w0 = (await editor.boundingBox())!.width
      const sp = (await page.getByTestId('splitter').boundingBox())!
      await page.mouse.move(sp.x + 3, sp.y + sp.height / 2)
      await page.mouse.down()
      await page.mouse.move(sp.x - 120, sp.y + sp.height / 2, { steps: 4 })
      await page.mouse.up()
      await expect.poll(async () => (await editor.boundingBox())!.width).toBeGreaterThan(w0 + 60)

      // --- panels overlay the grid: every column stays where it was
      const status = page.getByTestId('col-status')
      const before = (await status.boundingBox())!
      await page.getByTestId('lint-filter').click()
      await expect(page.getByTestId('lint-list')).toBeVisible()
      const after = (await status.boundingBox())!
      expect(after.x).toBe(before.x)
      expect(await inViewport(page, page.getByTestId('col-size'))).toBe(true)
      await shot(page, info, 'lint-overlay')
      await page.getByTestId('lint-close').click()

      // --- fast review: approve moves on, the next row is selected and in view
      await portrait.click()
      const firstId = await portrait.getAttribute('data-id')
      await page.getByTestId('grid').focus()
      await page.keyboard.press('a')
      await expect(rows.nth(1)).toHaveAttribute('aria-selected', 'true')
      expect(await inViewport(page, rows.nth(1))).toBe(true)
      await expect(page.locator(`[data-testid="grid-row"][data-id="${firstId}"]`)).toContainText(
        'Approved'
      )

      // --- undo says what it will undo, lists the recent batches, and shows what it undid
      const img0 = page.locator(`[data-testid="grid-row"][data-id="${firstId}"]`)
      await expect(page.getByTestId('undo-button')).toContainText('Undo: Approve img0.png')
      await page.getByTestId('history-open').click()
      await expect(page.getByTestId('history-batch').first()).toContainText('Approve img0.png')
      await axe(page, 'history popover')
      await shot(page, info, 'history')
      await page.getByTestId('history-undo').click()
      await expect(page.getByTestId('toast-info').last()).toContainText('Undone: Approve img0.png')
      await expect(img0).toContainText('Unreviewed')
      await expect(img0).toHaveAttribute('aria-selected', 'true')

      // --- Ctrl+Z inside a text box undoes the typing, not a library batch
      await page.getByTestId('grid').focus()
      await page.keyboard.press('n')
      await expect(img0).toContainText('Needs work')
      await img0.click()
      const zh = page.getByTestId('editor-zh')
      await zh.click()
      await zh.press('End')
      const typed = await zh.inputValue()
      await page.keyboard.type('甲')
      await expect(zh).toHaveValue(`${typed}甲`)
      await page.keyboard.press('Control+z')
      await expect(zh).toHaveValue(typed)
      await page.keyboard.press('Escape')
      await expect(img0).toContainText('Needs work')

      // --- the other views are tabs, and pass the same scan
      await page.getByTestId('nav-stats').click()
      await expect(page.getByTestId('stats-page')).toBeVisible()
      await expect(page.getByTestId('nav-stats')).toHaveAttribute('aria-current', 'page')
      await page.waitForLoadState('networkidle')
      await axe(page, 'statistics')
      await page.getByTestId('nav-dupes').click()
      await expect(page.getByTestId('dupes-summary')).toBeVisible()
      await axe(page, 'duplicates')
      await page.getByTestId('nav-grid').click()
      await expect(page.getByTestId('grid')).toBeVisible()
    } finally {
      await fs.rm(root, { recursive: true, force: true })
    }
  })

  test(`${at}: datasets renamed and deleted undoably, empty and interrupted imports, the import wizard, errors in words`, async ({
    page,
    studio
  }, info) => {
    await page.setViewportSize(vp)
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'glossa-e2e-daily-'))
    const savedRoots = process.env.GLOSSA_BROWSE_ROOTS
    process.env.GLOSSA_BROWSE_ROOTS = root
    try {
      await page.getByTestId('lang-en').click()
      await axe(page, 'home (empty)')
      const dir = await makeFolder(root, 'towers')
      const empty = path.join(root, 'empty')
      await fs.mkdir(path.join(empty, 'sub'), { recursive: true })

      // --- the wizard: a missing folder is said in words with its path, Import stays off
      await page.getByTestId('import-open').click()
      const wizard = page.getByTestId('import-dialog')
      await page.getByTestId('import-path').fill(path.join(root, 'nope'))
      await expect(page.getByTestId('import-detect-error')).toContainText(
        `Not found: ${path.join(root, 'nope')}`
      )
      await expect(page.getByTestId('import-detect-error')).not.toHaveText(/^NOT_FOUND/)
      await expect(page.getByTestId('import-start')).toBeDisabled()
      // an empty folder: nothing to import
      await page.getByTestId('import-path').fill(empty)
      await expect(page.getByTestId('import-path-state')).toContainText('no images')
      await expect(page.getByTestId('import-start')).toBeDisabled()
      // the folder browser (browser mode): from the allowed root down to the folder
      await page.getByTestId('import-browse').click()
      const browser = page.getByTestId('folder-browser')
      await expect(browser).toBeVisible()
      await axe(page, 'folder browser')
      await page.getByTestId('browse-up').click()
      await browser.getByTestId('browse-dir').filter({ hasText: 'towers' }).click()
      await expect(page.getByTestId('browse-path')).toHaveText(await fs.realpath(dir))
      await expect(browser).toContainText('6 images in this folder')
      await page.getByTestId('browse-pick').click()
      await expect(browser).toBeHidden()
      await expect(page.getByTestId('import-path')).toHaveValue(await fs.realpath(dir))
      // totals before import
      await expect(page.getByTestId('total-images')).toHaveAttribute('data-count', '6')
      await expect(page.getByTestId('total-captioned')).toHaveAttribute('data-count', '3')
      await expect(page.getByTestId('total-uncaptioned')).toHaveAttribute('data-count', '3')
      await expect(page.getByTestId('total-orphans')).toHaveAttribute('data-count', '1')
      await expect(page.getByTestId('total-unreadable')).toHaveAttribute('data-count', '0')
      await expect(page.getByTestId('import-start')).toHaveText('Import 6 images')
      await axe(page, 'import wizard')
      await shot(page, info, 'import-wizard')
      await page.getByTestId('import-start').click()
      await expect(wizard).toBeHidden()
      await expect(page.getByTestId('job-card').first()).toHaveAttribute('data-status', 'done')
      const card = page.getByTestId('dataset-card').filter({ hasText: 'towers' })
      await expect(card.getByTestId('dataset-images')).toHaveText('6 images')

      // --- an interrupted import is marked on its card and resumes from there
      const r = await studio.core.call('import.start', { dir, datasetName: 'again' })
      await studio.core.call('jobs.cancel', { id: r.jobId })
      await page.reload()
      const again = page.getByTestId('dataset-card').filter({ hasText: 'again' })
      await expect(again).toHaveAttribute('data-incomplete', 'cancelled')
      await expect(again.getByTestId('dataset-incomplete')).toContainText('Import cancelled')
      await axe(page, 'home')
      await shot(page, info, 'home-incomplete')
      await again.getByTestId('dataset-resume').click()
      await expect(again.getByTestId('dataset-images')).toHaveText('6 images')
      await expect(again.getByTestId('dataset-incomplete')).toHaveCount(0)

      // --- rename, then delete with undo; the files are untouched
      const files = (await fs.readdir(dir)).sort()
      await again.getByTestId('dataset-menu').click()
      await page.getByTestId('dataset-rename').click()
      await page.getByTestId('rename-input').fill('towers')
      await page.getByTestId('rename-confirm').click()
      await expect(page.getByTestId('rename-error')).toContainText('already exists')
      await page.getByTestId('rename-input').fill('Canton Tower')
      await page.getByTestId('rename-confirm').click()
      const canton = page.getByTestId('dataset-card').filter({ hasText: 'Canton Tower' })
      await expect(canton).toBeVisible()
      await canton.getByTestId('dataset-menu').click()
      await page.getByTestId('dataset-delete').click()
      await expect(page.getByTestId('delete-dialog')).toContainText('No file is touched')
      await axe(page, 'delete dialog')
      await page.getByTestId('delete-confirm').click()
      await expect(canton).toHaveCount(0)
      const toast = page.getByTestId('dataset-deleted-toast')
      await expect(toast).toContainText('Deleted “Canton Tower” (6 images)')
      expect((await fs.readdir(dir)).sort()).toEqual(files)
      await toast.getByTestId('toast-action').click()
      await expect(canton).toBeVisible()
      await expect(canton.getByTestId('dataset-images')).toHaveText('6 images')

      // --- an empty folder creates nothing, even when forced past the wizard
      await expect(studio.core.call('import.start', { dir: empty })).rejects.toMatchObject({
        code: 'INVALID_ARGS'
      })
      await page.reload()
      await expect(page.getByTestId('dataset-card')).toHaveCount(2)

      // --- a job failure says why, in the job card: a download from a server that is not there
      const port = await closedPort()
      const dl = await studio.core.call('models.download', {
        repoId: 'glossa/offline-test',
        mirror: `http://127.0.0.1:${port}`
      })
      const job = page.locator(`[data-testid="job-card"][data-job-id="${dl.jobId}"]`)
      await expect(job).toHaveAttribute('data-status', 'failed')
      await expect(job.getByTestId('job-error')).toContainText('refused the connection')
      await expect(job.getByTestId('job-error')).toContainText('127.0.0.1')
      await shot(page, info, 'job-failed')

      // --- the remaining pages pass the scan
      await page.getByTestId('nav-models').click()
      await expect(page.getByTestId('models-page')).toBeVisible()
      await page.waitForLoadState('networkidle')
      await axe(page, 'models')
      await page.getByTestId('nav-glossary').click()
      await expect(page.getByTestId('glossary-page')).toBeVisible()
      await axe(page, 'glossary')
      await page.getByTestId('settings-open').click()
      await expect(page.getByTestId('settings-dialog')).toBeVisible()
      await expect(page.getByTestId('settings-advance')).toBeChecked()
      await axe(page, 'settings')
      await page.keyboard.press('Escape')
      // the dataset page with its Actions menu open
      await page.getByTestId('nav-home').click()
      await page.getByTestId('dataset-card').filter({ hasText: 'towers' }).click()
      await page.getByTestId('dataset-actions').click()
      await expect(page.getByTestId('dataset-actions-menu')).toBeVisible()
      await axe(page, 'actions menu')
      await shot(page, info, 'actions-menu')
      await page.keyboard.press('Escape')
      await openAction(page, 'dataset-rename')
      await expect(page.getByTestId('rename-dialog')).toBeVisible()
      await page.keyboard.press('Escape')
    } finally {
      if (savedRoots === undefined) delete process.env.GLOSSA_BROWSE_ROOTS
      else process.env.GLOSSA_BROWSE_ROOTS = savedRoots
      await fs.rm(root, { recursive: true, force: true })
    }
  })
}

/** A loopback port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo
      s.close(() => resolve(port))
    })
  })
}
