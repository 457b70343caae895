/**
 * The grid on a large library (20,000 seeded images): it pages as it scrolls, stays virtualised,
 * and an edit far down the list updates that row in place: the scroll position stays, and the
 * studio re-reads the page holding the row instead of every page scrolled through.
 */
import { test as base, expect, type Page } from '@playwright/test'
import { withSeededStudio } from './helpers'

const IMAGES = 20_000
const ROW_H = 52 // Grid.tsx

interface Big {
  origin: string
  token: string
  datasetId: number
}

const test = base.extend<{ big: Big }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright needs the destructuring form
  big: async ({}, use) =>
    withSeededStudio({ prefix: 'glossa-e2e-big-', images: IMAGES, seed: 3 }, (s) =>
      use({ origin: s.server.origin, token: s.server.token, datasetId: s.datasetId })
    )
})

/** Counts the page's `images.page` calls from now on. */
/** Grid page reads (rows), apart from the total-only reads the grid makes after a page shows. */
function countPageCalls(page: Page): { n: number; totals: number } {
  const c = { n: 0, totals: 0 }
  page.on('request', (r) => {
    if (!r.url().endsWith('/api/images.page')) return
    const args = JSON.parse(r.postData() ?? '{}') as { limit?: number; withTotal?: boolean }
    if (args.withTotal && args.limit === 1) c.totals++
    else c.n++
  })
  return c
}

test('a 20,000-image grid pages as it scrolls and updates an edited row in place', async ({
  page,
  big
}) => {
  const { origin, token, datasetId } = big
  await page.goto(`${origin}/?token=${token}`)
  await page.goto(`${origin}/#/datasets/${datasetId}`)
  await page.getByTestId('lang-en').click()
  await expect(page.getByTestId('grid-total')).toHaveAttribute('data-count', String(IMAGES))
  await expect(page.getByTestId('grid-row').first()).toBeVisible()

  // scroll 3,000 rows down; the grid fetches pages from the core on the way
  const grid = page.getByTestId('grid')
  const target = 3000
  await expect(async () => {
    await grid.evaluate((el, top) => el.scrollTo({ top }), target * ROW_H)
    await expect(page.locator(`[data-testid="grid-row"][data-index="${target}"]`)).toBeVisible({
      timeout: 1000
    })
  }).toPass({ timeout: 60_000 })
  // virtualised: a screenful of rows in the DOM, not thousands
  expect(await page.getByTestId('grid-row').count()).toBeLessThan(60)

  // review a row down there with the keyboard
  const row = page.locator(`[data-testid="grid-row"][data-index="${target + 2}"]`)
  await row.click()
  await expect(row).toHaveAttribute('aria-selected', 'true')
  const id = await row.getAttribute('data-id')
  const calls = countPageCalls(page)
  const status = page.getByTestId('editor').getByTestId('editor-status')
  await expect(status).not.toBeEmpty()
  const wasStatus = (await status.textContent()) ?? ''
  // approve it, or reject it if the seed already approved it
  const [key, now, label] =
    wasStatus === 'approved' ? ['r', 'rejected', 'Rejected'] : ['a', 'approved', 'Approved']
  await page.keyboard.press(key)
  // fast review moved on to the next row (which stays in view); the edited row shows the change
  await expect(
    page.locator(`[data-testid="grid-row"][data-index="${target + 3}"]`)
  ).toHaveAttribute('aria-selected', 'true')
  // (moving on may scroll one row when the next row sat at the bottom edge: the position is
  // taken after it, so what follows checks that the edit and its undo move nothing)
  const before = await grid.evaluate((el) => el.scrollTop)
  expect(now).toBeTruthy()
  const edited = page.locator(`[data-testid="grid-row"][data-id="${id}"]`)
  await expect(edited).toContainText(label)
  // the change arrives as a 'library.changed' event and is re-read from the core
  await expect.poll(() => calls.n).toBeGreaterThan(0)

  // undo brings the old status back into the same row, and selects it again
  await page.keyboard.press('Control+z')
  await expect(row).toHaveAttribute('aria-selected', 'true')
  await expect(status).toHaveText(wasStatus)
  await expect(edited).not.toContainText(label)
  await expect(edited).toHaveAttribute('data-index', String(target + 2))

  // the grid did not jump, and it re-read a page or two, not the 15+ pages scrolled through
  expect(await grid.evaluate((el) => el.scrollTop)).toBe(before)
  expect(calls.n).toBeLessThanOrEqual(6)
  // and the total at most once per change (edit, undo), plus one still in flight from the scroll
  expect(calls.totals).toBeLessThanOrEqual(3)
})
