/**
 * Captioning end to end, in real Chromium against browser mode on a temp library: add the fixture
 * tagger on the models page by typing its folder (a broken folder first: the error names the
 * file), try the model on one image in the caption dialog, start a run over ~200 red/green/blue
 * images with the job panel's real progress bar, cancel it midway, resume it, and see the tags in
 * the grid and the tag scores in the editor.
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import type { Page, TestInfo } from '@playwright/test'
import { writeBadTaggerFolder, writeTaggerFolder } from '../fixtures/models/make-tagger'
import { expect, test } from './fixtures'
import { openAction } from './studio-ui'

// big enough (decode dominates) that the run lasts a few seconds and can be cancelled midway
const N = 300
const SIDE = 2048
const COLOURS = [
  ['red', { r: 255, g: 0, b: 0 }],
  ['green', { r: 0, g: 255, b: 0 }],
  ['blue', { r: 0, g: 0, b: 255 }]
] as const

async function makeFixtures(): Promise<{
  root: string
  images: string
  tagger: string
  bad: string
}> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'glossa-e2e-caption-'))
  const images = path.join(root, 'colours')
  await fs.mkdir(images)
  // one encoded JPEG per colour, written N/3 times each (distinct names; square, so the tagger's
  // white padding does not dilute the colour)
  const encoded = await Promise.all(
    COLOURS.map(([, rgb]) =>
      sharp({ create: { width: SIDE, height: SIDE, channels: 3, background: rgb } })
        .jpeg({ quality: 90 })
        .toBuffer()
    )
  )
  await Promise.all(
    Array.from({ length: N }, (_, i) => {
      const k = i % COLOURS.length
      const name = `${COLOURS[k]![0]}-${String(i).padStart(3, '0')}.jpg`
      return fs.writeFile(path.join(images, name), encoded[k]!)
    })
  )
  const tagger = await writeTaggerFolder(path.join(root, 'models', 'tiny-tagger'), {
    dynamicBatch: true
  })
  const bad = await writeBadTaggerFolder(path.join(root, 'models', 'broken'), 'csv-mismatch')
  return { root, images, tagger, bad }
}

async function shot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const file = testInfo.outputPath(`${name}.png`)
  await page.screenshot({ path: file })
  await testInfo.attach(name, { path: file, contentType: 'image/png' })
}

test('add the fixture tagger, try it, caption with progress, cancel, resume, see the tags', async ({
  page,
  studio
}, testInfo) => {
  const fx = await makeFixtures()
  try {
    await page.getByTestId('lang-en').click()
    // the dataset comes in through the core (the import UI has its own test)
    const imp = await studio.core.call('import.start', { dir: fx.images, datasetName: 'colours' })
    expect((await studio.core.waitForJob(imp.jobId)).status).toBe('done')

    // --- models page: a broken folder is refused with the file named, the good one is added
    await page.getByTestId('nav-models').click()
    await expect(page.getByTestId('models-page')).toBeVisible()
    await page.getByTestId('model-add-path').fill(fx.bad)
    await page.getByTestId('model-add-submit').click()
    const err = page.getByTestId('model-add-error')
    await expect(err).toContainText(path.join(fx.bad, 'selected_tags.csv'))
    await expect(err).toContainText('14')
    await expect(page.getByTestId('model-card')).toHaveCount(0)

    await page.getByTestId('model-add-path').fill(fx.tagger)
    await page.getByTestId('model-add-submit').click()
    const card = page.getByTestId('model-card')
    await expect(card).toHaveCount(1)
    await expect(card).toHaveAttribute('data-kind', 'tagger')
    await expect(card).toContainText('14 tags')
    await expect(card).toContainText('batch dynamic')
    await expect(err).toBeHidden()
    await expect(page.getByTestId('catalogue-row').first()).toBeVisible()
    await shot(page, testInfo, '1-models-page')

    // --- the dataset: open the caption dialog and try the model on the first image
    await page.goto(`${studio.origin}/#/datasets/${imp.datasetId}`)
    await expect(page.getByTestId('grid-total')).toContainText(String(N))
    await openAction(page, 'caption-open')
    const dialog = page.getByTestId('caption-dialog')
    await expect(dialog).toBeVisible()
    await expect(page.getByTestId('caption-model')).toHaveValue('tiny-tagger')
    await expect(page.getByTestId('caption-overwrite')).not.toBeChecked()
    await page.getByTestId('caption-overwrite').check()
    await expect(page.getByTestId('caption-overwrite-warning')).toBeVisible()
    await page.getByTestId('caption-overwrite').uncheck()
    await expect(page.getByTestId('caption-overwrite-warning')).toBeHidden()
    await page.getByTestId('caption-target-dataset').check()
    // batch 1: more, smaller inference calls, so the run lasts long enough to cancel
    await page.getByTestId('caption-batch').fill('1')
    await page.getByTestId('caption-try').click()
    const preview = page.getByTestId('caption-preview')
    await expect(preview).toBeVisible()
    // the first image by name is blue-002.jpg
    await expect(preview.locator('[data-testid="preview-tag"][data-tag="blue"]')).toBeVisible()
    await expect(preview.locator('[data-testid="preview-tag"][data-tag="red"]')).toHaveCount(0)
    await expect(page.getByTestId('caption-would-write')).toHaveAttribute(
      'data-would-write',
      'write'
    )
    await shot(page, testInfo, '2-caption-dialog-try-it')

    // --- start, watch the real progress bar, cancel midway
    await page.getByTestId('caption-start').click()
    await expect(dialog).toBeHidden()
    const job = page.locator('[data-testid="job-card"]').first()
    await expect(job).toContainText('Caption')
    const bar = job.getByRole('progressbar')
    await expect(bar).toHaveAttribute('aria-valuemax', String(N))
    await expect
      .poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 60_000 })
      .toBeGreaterThan(0)
    await expect(job.getByTestId('job-rate')).toContainText('img/s')
    await job.getByTestId('job-cancel').click()
    await expect(job).toHaveAttribute('data-status', 'cancelled')
    const jobId = Number(await job.getAttribute('data-job-id'))
    const cancelled = await studio.core.call('jobs.get', { id: jobId })
    expect(cancelled.status).toBe('cancelled')
    const kept = cancelled.items!.done + cancelled.items!.skipped
    expect(kept).toBeGreaterThan(0)
    expect(kept).toBeLessThan(N)
    expect(cancelled.items!.pending).toBe(N - kept - cancelled.items!.failed)
    await shot(page, testInfo, '3-caption-cancelled')

    // --- resume: the run finishes the rest; nothing is captioned twice
    await job.getByTestId('job-resume').click()
    await shot(page, testInfo, '4-caption-resumed-running')
    await expect(job).toHaveAttribute('data-status', 'done', { timeout: 120_000 })
    await expect(job.getByTestId('job-count')).toContainText(`${N} / ${N}`)
    const finished = await studio.core.call('jobs.get', { id: jobId })
    expect(finished.items).toEqual({ pending: 0, done: N, skipped: 0, failed: 0 })
    const batches = await studio.core.call('history.list', { limit: 10 })
    // the cancelled and the resumed part land in one undoable batch
    expect(batches.filter((b) => b.label === 'Tag with tiny-tagger')).toHaveLength(1)
    await shot(page, testInfo, '5-caption-resumed-done')
    // clear the job panel so the editor is in full view
    while ((await page.getByTestId('job-dismiss').count()) > 0)
      await page.getByTestId('job-dismiss').first().click()

    // --- the grid shows the tags; the editor shows them with scores and their source
    const rows = page.locator('[data-testid="grid-row"]')
    await page.getByTestId('search').fill('hatsune miku')
    await expect(page.getByTestId('grid-total')).toContainText(String(N / 3))
    await expect(rows.filter({ hasText: 'green-001.jpg' })).toContainText('hatsune miku')
    await expect(rows.filter({ hasText: 'red-' })).toHaveCount(0)
    await page.getByTestId('search').fill('red theme')
    await expect(page.getByTestId('grid-total')).toContainText(String(N / 3))
    const redRow = rows.filter({ hasText: 'red-000.jpg' })
    await expect(redRow).toContainText('red theme')
    await redRow.click()
    const scores = page.getByTestId('tag-scores')
    await expect(scores).toBeVisible()
    const red = scores.locator('[data-testid="tag-score"][data-tag="red"]')
    await expect(red).toHaveAttribute('title', 'Source: tiny-tagger')
    await expect(red).toContainText(/0\.99/)
    await expect(page.getByTestId('editor-tags')).toHaveValue(/red, red theme/)
    await scores.scrollIntoViewIfNeeded()
    await shot(page, testInfo, '6-grid-and-editor-tags')
  } finally {
    await fs.rm(fx.root, { recursive: true, force: true })
  }
})
