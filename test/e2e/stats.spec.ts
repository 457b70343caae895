/**
 * The statistics dashboard and the duplicates view in real Chromium (browser mode), on a library
 * with a seeded dataset (varied sizes, tags, captions and statuses, plus status changes by two
 * reviewers) and a dataset imported from generated pictures with planted copies.
 *  - every plot renders from the library's data;
 *  - a click on a tag bar, a caption-length bin, a resolution dot, a kohya bucket and a status
 *    slice opens the grid filtered to it: the grid's count is the plot's own number;
 *  - the duplicates view shows the planted groups; `k` keeps the marked image and rejects the
 *    other (one undoable batch in the core).
 * Screenshots of the dashboard and the duplicates view are attached to the report.
 */
import path from 'node:path'
import { test as base, expect, type Page, type TestInfo } from '@playwright/test'
import type { Core } from '../../src-main/core'
import type { ImageFilter } from '../../src-main/shared/api'
import { makeDupesFixture, type DupesFixture } from '../fixtures/dupes-images'
import { withSeededStudio } from './helpers'

interface Lib {
  origin: string
  token: string
  core: Core
  seeded: number
  dupes: number
  fx: DupesFixture
}

const test = base.extend<{ lib: Lib }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright needs the destructuring form
  lib: async ({}, use) =>
    withSeededStudio(
      { prefix: 'glossa-e2e-stats-', images: 1500, seed: 5, actor: 'alice' },
      async ({ root, datasetId: seeded, core, server }) => {
        const fx = await makeDupesFixture(path.join(root, 'pictures'), {
          distinct: 8,
          perKind: 1,
          size: 160,
          seed: 9
        })
        const imp = await core.call('import.start', {
          dir: path.join(root, 'pictures'),
          datasetName: 'pictures'
        })
        expect((await core.waitForJob(imp.jobId)).status).toBe('done')
        // review history: alice approves and rejects some images of the seeded dataset
        const ids = (
          await core.call('images.page', { filter: { datasetId: seeded }, limit: 300 })
        ).rows.map((r) => r.id)
        await core.call('images.setStatus', { ids: ids.slice(0, 120), status: 'approved' })
        await core.call('images.setStatus', { ids: ids.slice(120, 160), status: 'rejected' })
        await use({
          origin: server.origin,
          token: server.token,
          core,
          seeded,
          dupes: imp.datasetId,
          fx
        })
      }
    )
})

async function shot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const file = testInfo.outputPath(`${name}.png`)
  // the page scrolls inside the app frame: a tall window shows all of it
  const size = page.viewportSize()
  await page.setViewportSize({ width: 1440, height: 2700 })
  await page.screenshot({ path: file })
  if (size) await page.setViewportSize(size)
  await testInfo.attach(name, { path: file, contentType: 'image/png' })
}

async function count(core: Core, filter: ImageFilter): Promise<number> {
  return (await core.call('images.page', { filter, limit: 1, withTotal: true })).total!
}

async function openStats(page: Page, lib: Lib): Promise<void> {
  await page.goto(`${lib.origin}/#/datasets/${lib.seeded}/stats`)
  await expect(page.getByTestId('stats-page')).toBeVisible()
}

/** After a plot click: the grid of the dataset, its count the expected number. */
async function expectGrid(page: Page, lib: Lib, n: number): Promise<void> {
  await expect(page).toHaveURL(new RegExp(`#/datasets/${lib.seeded}\\?f=`))
  await expect(page.getByTestId('grid-total')).toHaveAttribute('data-count', String(n))
  expect(n).toBeGreaterThan(0)
}

test('every plot renders from the library and a click filters the grid', async ({
  page,
  lib
}, testInfo) => {
  await page.goto(`${lib.origin}/?token=${lib.token}`)
  await page.getByTestId('lang-en').click()
  const filter = { datasetId: lib.seeded }
  const tags = await lib.core.call('stats.tags', { filter, top: 30 })
  const lengths = await lib.core.call('stats.captionLengths', { filter })
  const res = await lib.core.call('stats.resolution', { filter, maxPoints: 2000 })
  const review = await lib.core.call('stats.review', { filter })

  // the grid links to the dashboard
  await page.goto(`${lib.origin}/#/datasets/${lib.seeded}`)
  await page.getByTestId('nav-stats').click()
  await expect(page.getByTestId('stats-page')).toBeVisible()

  // every plot is drawn from the data: one bar per tag, dot per size, slice per status …
  const card = (id: string) => page.getByTestId(`chart-${id}`)
  await expect(card('tags').locator('.recharts-bar-rectangle')).toHaveCount(tags.top.length)
  await expect(card('tags')).toContainText(tags.top[0]!.tag)
  const zhClip = lengths.langs.zh.clip.bins
  await expect(page.getByTestId('captions-zh').locator('.recharts-bar-rectangle path')).toHaveCount(
    zhClip.filter((c) => c > 0).length
  )
  await expect(page.getByTestId('captions-zh')).toContainText('CLIP 77')
  await expect(
    page.getByTestId('resolution-scatter').locator('.recharts-scatter-symbol')
  ).toHaveCount(res.points.length)
  await expect(
    page.getByTestId('resolution-aspect').locator('.recharts-bar-rectangle path').first()
  ).toBeVisible()
  await expect(card('buckets').locator('.recharts-bar-rectangle path').first()).toBeVisible()
  const slices = (['unreviewed', 'approved', 'rejected', 'needs-work'] as const).filter(
    (s) => review.byStatus[s] > 0
  )
  await expect(page.getByTestId('review-status').locator('.recharts-pie-sector path')).toHaveCount(
    slices.length
  )
  await expect(page.getByTestId('reviewers')).toContainText('alice')
  await expect(
    page.getByTestId('review-timeline').locator('.recharts-bar-rectangle path').first()
  ).toBeVisible()
  await shot(page, testInfo, 'stats-dashboard')

  // a tag bar → the images with that tag
  await card('tags').locator('.recharts-bar-rectangle').first().click()
  await expectGrid(page, lib, tags.top[0]!.count)
  await expect(page.getByTestId('extra-tag:' + tags.top[0]!.tag)).toBeVisible()
  // removing the chip shows the whole dataset again
  await page
    .getByTestId('extra-tag:' + tags.top[0]!.tag)
    .getByRole('button')
    .click()
  await expect(page.getByTestId('grid-total')).toHaveAttribute('data-count', '1500')

  // a caption-length bin (zh, CLIP tokens) → the captions of that length
  await openStats(page, lib)
  const k = zhClip.findIndex((c) => c > 0)
  await page.getByTestId('captions-zh').locator('.recharts-bar-rectangle path').first().click()
  await expectGrid(page, lib, zhClip[k]!)
  await expect(page.getByTestId('extra-length')).toBeVisible()

  // a resolution dot → the images of that size
  await openStats(page, lib)
  const p = res.points[0]!
  await page.getByTestId('resolution-scatter').locator('.recharts-scatter-symbol').first().click()
  await expectGrid(page, lib, p.count)
  expect(
    await count(lib.core, {
      datasetId: lib.seeded,
      width: { min: p.width, max: p.width + 1 },
      height: { min: p.height, max: p.height + 1 }
    })
  ).toBe(p.count)

  // a kohya bucket → the images the trainer would put in it
  await openStats(page, lib)
  const buckets = await lib.core.call('stats.buckets', {
    filter,
    resolution: [1024, 1024],
    minReso: 256,
    maxReso: 1024,
    steps: 64
  })
  const firstFit = buckets.buckets.find((b) => b.images - b.upscaled > 0)!
  await card('buckets').locator('.recharts-bar-rectangle path').first().click()
  await expectGrid(page, lib, firstFit.images)
  await expect(page.getByTestId('extra-bucket')).toContainText(
    `${firstFit.width}×${firstFit.height}`
  )

  // a status slice → the images in that status
  await openStats(page, lib)
  await page.getByTestId('review-status').locator('.recharts-pie-sector path').nth(1).click()
  await expectGrid(page, lib, review.byStatus[slices[1]!])
  await expect(page.getByTestId(`filter-status-${slices[1]!}`)).toHaveAttribute(
    'aria-pressed',
    'true'
  )
})

test('the duplicates view shows the planted groups and k keeps the best', async ({
  page,
  lib
}, testInfo) => {
  await page.goto(`${lib.origin}/?token=${lib.token}`)
  await page.getByTestId('lang-en').click()
  await page.goto(`${lib.origin}/#/datasets/${lib.dupes}`)
  await page.getByTestId('nav-dupes').click()
  await expect(page.getByTestId('dupes-page')).toBeVisible()
  const groups = page.getByTestId('dupe-group')
  await expect(groups).toHaveCount(3)
  await expect(groups.and(page.locator('[data-kind="exact"]'))).toHaveCount(1)
  await expect(groups.and(page.locator('[data-kind="near"]'))).toHaveCount(2)
  // side by side with sizes; the suggested keeper is marked
  const resize = lib.fx.planted.find((x) => x.kind === 'resize')!
  const group = groups.filter({ hasText: path.basename(resize.copy) })
  await expect(group.getByTestId('dupe-image')).toHaveCount(2)
  await expect(group.locator('[data-keep="true"]')).toContainText(path.basename(resize.original))
  await expect(group.locator('[data-keep="true"]')).toContainText('160×160')
  await expect(group).toContainText('80×80')
  // thumbnails load
  await expect
    .poll(() =>
      group
        .locator('img.dupe-thumb')
        .first()
        .evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)
    )
    .toBeGreaterThan(0)
  await shot(page, testInfo, 'dupes-view')

  // k on that group: keep the original, reject the copy, the group is settled and hidden
  await group.click({ position: { x: 5, y: 5 } })
  await expect(group).toHaveAttribute('aria-current', 'true')
  const keepId = Number(await group.locator('[data-keep="true"]').getAttribute('data-id'))
  const otherId = Number(
    await group.locator('[data-testid="dupe-image"]:not([data-keep])').getAttribute('data-id')
  )
  await page.keyboard.press('k')
  await expect(groups).toHaveCount(2)
  expect((await lib.core.call('images.get', { id: otherId })).status).toBe('rejected')
  expect((await lib.core.call('images.get', { id: keepId })).status).toBe('unreviewed')
  // one undoable batch: Ctrl+Z brings the group back
  await page.keyboard.press('Control+z')
  await expect
    .poll(async () => (await lib.core.call('images.get', { id: otherId })).status)
    .toBe('unreviewed')
})
