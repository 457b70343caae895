/**
 * The built-in OCR model in the studio, end to end in real Chromium against browser mode, with
 * the real PP-OCRv4 weights: the Caption dialog offers "OCR (text in image)" with no model added,
 * reads rendered Chinese, English, watermarked and plain images; the grid shows the text, the
 * editor's fields view shows it in the `text` field; Filters → "Has text / watermark" narrows the
 * grid to those images and "Reject all of these" rejects them as one undoable batch.
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { ocrTestImages, toPng } from '../fixtures/ocr-images'
import { expect, test } from './fixtures'
import { openAction } from './studio-ui'

test('OCR from the Caption dialog, the has-text filter and rejecting its images', async ({
  page,
  studio
}) => {
  test.setTimeout(240_000)
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'glossa-e2e-ocr-'))
  try {
    const dir = path.join(root, 'signs')
    await fs.mkdir(dir)
    const imgs = await ocrTestImages()
    for (const name of ['zh', 'en', 'plain', 'watermark'] as const)
      await fs.writeFile(path.join(dir, `${name}.png`), await toPng(imgs[name]!))
    await page.getByTestId('lang-en').click()
    const imp = await studio.core.call('import.start', { dir, datasetName: 'signs' })
    expect((await studio.core.waitForJob(imp.jobId)).status).toBe('done')

    await page.goto(`${studio.origin}/#/datasets/${imp.datasetId}`)
    await expect(page.getByTestId('grid-total')).toContainText('4')
    await openAction(page, 'caption-open')
    const dialog = page.getByTestId('caption-dialog')
    await expect(dialog).toBeVisible()
    await page.getByTestId('caption-model').selectOption('ocr')
    await page.getByTestId('caption-target-dataset').check()
    await page.getByTestId('caption-start').click()
    await expect(dialog).toBeHidden()
    const job = page.locator('[data-testid="job-card"]').first()
    await expect(job).toHaveAttribute('data-status', 'done', { timeout: 180_000 })

    const rows = page.locator('[data-testid="grid-row"]')
    await expect(rows.filter({ hasText: 'zh.png' })).toContainText('广州塔夜景')
    await expect(rows.filter({ hasText: 'en.png' })).toContainText('Canton Tower at night')
    while ((await page.getByTestId('job-dismiss').count()) > 0)
      await page.getByTestId('job-dismiss').first().click()
    await rows.filter({ hasText: 'en.png' }).click()
    await page.getByTestId('view-fields-en').click()
    await expect(page.getByTestId('field-en-text')).toHaveValue('Canton Tower at night')

    // the filter: text or a watermark; the plain image is left out
    await page.getByTestId('filter-more').click()
    await page.getByTestId('filter-has-text').check()
    await expect(page.getByTestId('grid-total')).toContainText('3')
    await expect(rows.filter({ hasText: 'plain.png' })).toHaveCount(0)
    await page.getByTestId('filter-text-reject').click()
    await expect
      .poll(async () => {
        const r = await studio.core.call('images.page', {
          filter: { datasetId: imp.datasetId, status: ['rejected'] },
          limit: 10
        })
        return r.rows.map((x) => x.fileName).sort()
      })
      .toEqual(['en.png', 'watermark.png', 'zh.png'])
    // one undoable batch
    await studio.core.call('history.undo', {})
    const still = await studio.core.call('images.page', {
      filter: { datasetId: imp.datasetId, status: ['rejected'] },
      limit: 10
    })
    expect(still.rows).toHaveLength(0)
  } finally {
    await fs.rm(root, { recursive: true, force: true })
  }
})
