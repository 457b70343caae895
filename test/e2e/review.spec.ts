/**
 * Review at scale in the studio (browser mode, real Chromium, a seeded 3,000-image library):
 *  - select all under a filter (Ctrl+A: the query, not the loaded rows), regex replace over
 *    ~1,300 English captions: the preview's counts match an independent count, apply runs as a
 *    'bulk' job while the search box keeps taking input, it lands as ONE journal batch, and
 *    Ctrl+Z restores every caption byte for byte (compared through the API);
 *  - Shift-click ranges and Ctrl-click toggles give the right count; Esc clears;
 *  - the tag panel counts, filters, renames (undoably);
 *  - history names the right reviewer after edits under two names set in the settings dialog,
 *    shows the diff, and reverts an entry; a rebound shortcut works and the sheet lists it.
 */
import { test as base, expect, type Page, type TestInfo } from '@playwright/test'
import type { Core } from '../../src-main/core'
import type { ImageFilter, ImageRow, Page as GridPage } from '../../src-main/shared/api'
import { withSeededStudio } from './helpers'

const IMAGES = 3000

interface Lib {
  origin: string
  token: string
  datasetId: number
  core: Core
}

const test = base.extend<{ lib: Lib }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright needs the destructuring form
  lib: async ({}, use) =>
    withSeededStudio({ prefix: 'glossa-e2e-review-', images: IMAGES, seed: 7 }, (s) =>
      use({ origin: s.server.origin, token: s.server.token, datasetId: s.datasetId, core: s.core })
    )
})

async function shot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const file = testInfo.outputPath(`${name}.png`)
  await page.screenshot({ path: file })
  await testInfo.attach(name, { path: file, contentType: 'image/png' })
}

/** Every image matching the filter, through the API (keyed pages of 1,000). */
async function allRows(core: Core, filter: ImageFilter): Promise<ImageRow[]> {
  const out: ImageRow[] = []
  let cursor: string | null = null
  do {
    const page: GridPage = await core.call('images.page', {
      filter,
      sort: { key: 'name', dir: 'asc' },
      cursor,
      limit: 1000
    })
    out.push(...page.rows)
    cursor = page.nextCursor
  } while (cursor)
  return out.sort((a, b) => a.id - b.id)
}

/** What a byte-exact comparison looks at: every caption, tag list and status. */
const snapshot = (rows: ImageRow[]): string =>
  JSON.stringify(rows.map((r) => [r.id, r.zh, r.en, r.tags, r.status]))

async function open(page: Page, lib: Lib): Promise<void> {
  await page.goto(`${lib.origin}/?token=${lib.token}`)
  await page.goto(`${lib.origin}/#/datasets/${lib.datasetId}`)
  await page.getByTestId('lang-en').click()
  await expect(page.getByTestId('grid-total')).toHaveAttribute('data-count', String(IMAGES))
  await expect(page.getByTestId('grid-row').first()).toBeVisible()
}

const selCount = (page: Page) => page.getByTestId('selection-count')
const rowAt = (page: Page, i: number) => page.locator(`[data-testid="grid-row"][data-index="${i}"]`)

test('select all under a filter, regex replace as one job batch, undo byte-exact', async ({
  page,
  lib
}, testInfo) => {
  const { core, datasetId } = lib
  await open(page, lib)

  // filter to the unreviewed images: about two thirds of the library
  const filter: ImageFilter = { datasetId, status: ['unreviewed'] }
  const matching = await allRows(core, filter)
  expect(matching.length).toBeGreaterThan(1000)
  await page.getByTestId('filter-status-unreviewed').click()
  await expect(page.getByTestId('grid-total')).toHaveAttribute(
    'data-count',
    String(matching.length)
  )

  // Ctrl+A selects every image matching the filter, not the 200 loaded rows
  await rowAt(page, 0).click()
  await expect(selCount(page)).toHaveAttribute('data-count', '1')
  await page.keyboard.press('Control+a')
  await expect(selCount(page)).toHaveAttribute('data-mode', 'all')
  await expect(selCount(page)).toHaveAttribute('data-count', String(matching.length))
  expect(await page.locator('[data-testid="grid-row"][data-checked="true"]').count()).toBe(
    await page.getByTestId('grid-row').count()
  )

  // the expected result, computed here independently of the core
  const find = String.raw`\b(a|an) (\w+)`
  const replace = '$1 very $2'
  const re = new RegExp(find, 'gu')
  const expectedChanged = matching.filter((r) => r.en.replace(re, replace) !== r.en).length
  expect(expectedChanged).toBeGreaterThan(800)

  const before = snapshot(await allRows(core, { datasetId }))
  const batchesBefore = await core.call('history.list', { limit: 5 })

  await page.getByTestId('bulk-open').click()
  const dialog = page.getByTestId('bulk-dialog')
  await expect(dialog).toBeVisible()
  await dialog.getByTestId('bulk-regex').check()
  await dialog.getByTestId('bulk-find').fill(find)
  await dialog.getByTestId('bulk-replace').fill(replace)
  await dialog.getByTestId('bulk-lang-zh').uncheck()
  const summary = dialog.getByTestId('bulk-summary')
  await expect(summary).toHaveAttribute('data-current', 'true')
  await expect(summary).toHaveAttribute('data-count', String(matching.length))
  await expect(summary).toHaveAttribute('data-changed', String(expectedChanged))
  // the sample diffs show the insertion
  await expect(dialog.getByTestId('bulk-sample').first().locator('ins').first()).toContainText(
    'very'
  )
  await shot(page, testInfo, 'bulk-preview')

  await dialog.getByTestId('bulk-apply').click()
  await expect(dialog).toBeHidden()
  // more than 1,000 images: a 'bulk' job in the job panel
  const card = page.getByTestId('job-card').first()
  await expect(card).toBeVisible()

  // the studio stays usable meanwhile: the search box takes typing and the grid follows it
  const searchBox = page.getByTestId('search')
  await searchBox.click()
  await page.keyboard.type('very tall')
  await expect(searchBox).toHaveValue('very tall')
  await expect(card).toHaveAttribute('data-status', 'done')
  await expect(page.getByTestId('grid-row').first()).toContainText('very tall')
  await shot(page, testInfo, 'bulk-applied')

  // ONE new journal batch, holding one entry per changed caption
  const batchesAfter = await core.call('history.list', { limit: 5 })
  expect(batchesAfter).toHaveLength(batchesBefore.length + 1)
  expect(batchesAfter[1]?.id).toBe(batchesBefore[0]?.id)
  expect(batchesAfter[0]!.items).toBe(expectedChanged)
  expect(batchesAfter[0]!.undone).toBe(false)
  const applied = await allRows(core, { datasetId })
  const changed = applied.filter((r) => /\b(a|an) very /u.test(r.en)).length
  expect(changed).toBe(expectedChanged)

  // Ctrl+Z takes the whole batch back, byte for byte
  await searchBox.fill('')
  await page.getByTestId('grid').focus()
  await page.keyboard.press('Control+z')
  await expect.poll(async () => snapshot(await allRows(core, { datasetId }))).toBe(before)
  await expect(page.getByTestId('grid-row').first()).not.toContainText(' very ')
})

test('Shift-click ranges, Ctrl-click toggles and Esc clears the selection', async ({
  page,
  lib
}, testInfo) => {
  await open(page, lib)
  await rowAt(page, 2).click()
  await expect(selCount(page)).toHaveAttribute('data-count', '1')
  await rowAt(page, 9).click({ modifiers: ['Shift'] })
  await expect(selCount(page)).toHaveAttribute('data-count', '8')
  for (let i = 2; i <= 9; i++) await expect(rowAt(page, i)).toHaveAttribute('data-checked', 'true')
  await expect(rowAt(page, 10)).toHaveAttribute('data-checked', 'false')
  // the editor follows the row clicked last
  await expect(rowAt(page, 9)).toHaveAttribute('aria-selected', 'true')

  await rowAt(page, 12).click({ modifiers: ['Control'] })
  await expect(selCount(page)).toHaveAttribute('data-count', '9')
  await rowAt(page, 5).click({ modifiers: ['Control'] })
  await expect(selCount(page)).toHaveAttribute('data-count', '8')
  await expect(rowAt(page, 5)).toHaveAttribute('data-checked', 'false')
  // a row's checkbox toggles like Ctrl-click
  await rowAt(page, 14).getByTestId('row-check').click()
  await expect(selCount(page)).toHaveAttribute('data-count', '9')
  await shot(page, testInfo, 'range-selection')

  // a bulk status change over exactly those rows, then undo
  const ids = await page
    .locator('[data-testid="grid-row"][data-checked="true"]')
    .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-id'))))
  expect(ids).toHaveLength(9)
  await page.getByTestId('bulk-open').click()
  const dialog = page.getByTestId('bulk-dialog')
  await dialog.getByTestId('bulk-kind').selectOption('status')
  await dialog.getByTestId('bulk-status-rejected').check()
  await expect(dialog.getByTestId('bulk-summary')).toHaveAttribute('data-count', '9')
  await dialog.getByTestId('bulk-apply').click()
  await expect(dialog).toBeHidden()
  await expect
    .poll(async () => {
      const rows = await lib.core.call('images.page', {
        filter: { datasetId: lib.datasetId, status: ['rejected'] },
        sort: { key: 'name', dir: 'asc' },
        limit: 1000
      })
      const rejected = new Set(rows.rows.map((r) => r.id))
      return ids.every((id) => rejected.has(id))
    })
    .toBe(true)

  // Esc (outside a field) clears it
  await page.getByTestId('grid').focus()
  await page.keyboard.press('Escape')
  await expect(selCount(page)).toHaveAttribute('data-count', '0')
  await expect(page.locator('[data-testid="grid-row"][data-checked="true"]')).toHaveCount(0)
})

test('the tag panel counts, filters and renames a tag everywhere, undoably', async ({
  page,
  lib
}, testInfo) => {
  const { core, datasetId } = lib
  await open(page, lib)
  const listed = await core.call('tags.list', { filter: { datasetId } })
  const top = listed.tags[0]!
  await page.getByTestId('tags-toggle').click()
  const panel = page.getByTestId('tag-panel')
  const item = panel.locator(`[data-testid="tag-item"][data-tag="${top.tag}"]`)
  await expect(item.getByTestId('tag-count')).toHaveText(top.count.toLocaleString('en'))
  await panel.getByTestId('tag-search').fill(top.tag.slice(1, 4))
  await expect(item).toBeVisible()

  // click: the grid shows just the images carrying it
  await item.locator('.tag-name').click()
  await expect(page.getByTestId('tag-filter-chip')).toHaveText(new RegExp(top.tag))
  await expect(page.getByTestId('grid-total')).toHaveAttribute('data-count', String(top.count))
  await shot(page, testInfo, 'tag-panel')
  await page.getByTestId('tag-filter-chip').getByRole('button').click()
  await expect(page.getByTestId('grid-total')).toHaveAttribute('data-count', String(IMAGES))

  // rename it everywhere in the dataset, then undo
  await item.locator('input[type="checkbox"]').check()
  await panel.getByTestId('tag-target').fill('renamed_tag')
  await panel.getByTestId('tag-apply').click()
  await expect
    .poll(async () => {
      const l = await core.call('tags.list', { filter: { datasetId }, search: 'renamed_tag' })
      return l.tags[0]?.count ?? 0
    })
    .toBe(top.count)
  await page.getByTestId('grid').focus()
  await page.keyboard.press('Control+z')
  await expect
    .poll(async () => {
      const l = await core.call('tags.list', { filter: { datasetId } })
      return [
        l.tags.find((x) => x.tag === top.tag)?.count,
        l.tags.some((x) => x.tag === 'renamed_tag')
      ]
    })
    .toEqual([top.count, false])
})

async function setReviewer(page: Page, name: string): Promise<void> {
  await page.getByTestId('settings-open').click()
  const dialog = page.getByTestId('settings-dialog')
  await dialog.getByTestId('settings-reviewer').fill(name)
  await dialog.getByTestId('settings-save').click()
  await expect(dialog).toBeHidden()
  await expect(page.getByTestId('settings-reviewer-name')).toHaveText(name)
}

test('history names each reviewer with a diff and reverts; shortcuts can be rebound', async ({
  page,
  lib
}, testInfo) => {
  const { core } = lib
  // this test follows one image: fast review (move on after a status key) is turned off
  await core.call('settings.set', { key: 'advanceOnReview', value: false })
  await open(page, lib)
  // a row with an English caption
  await page.getByTestId('search').fill('tall tower')
  await expect(page.getByTestId('grid-row').first()).toContainText('tall tower')
  const row = page.getByTestId('grid-row').first()
  await row.click()
  const id = Number(await row.getAttribute('data-id'))
  const editor = page.getByTestId('editor')
  const status = editor.getByTestId('editor-status')
  await expect(status).not.toBeEmpty()
  const was = (await status.textContent()) ?? ''
  const [key, now] = was === 'needs-work' ? ['r', 'rejected'] : ['n', 'needs-work']

  // Alice changes the status
  await setReviewer(page, 'Alice')
  await page.getByTestId('grid').focus()
  await page.keyboard.press(key)
  await expect(status).toHaveText(now)

  // Bob edits the English caption
  await setReviewer(page, 'Bob')
  const en = editor.getByTestId('editor-en')
  const original = await en.inputValue()
  await en.fill(`${original}, checked by Bob`)
  await page.keyboard.press('Escape')
  await expect(editor.getByTestId('save-state')).toHaveAttribute('data-state', 'saved')

  await editor.getByTestId('history-toggle').click()
  const entries = editor.getByTestId('history-entry')
  await expect(entries).toHaveCount(2)
  await expect(entries.nth(0)).toHaveAttribute('data-actor', 'Bob')
  await expect(entries.nth(0)).toHaveAttribute('data-kind', 'caption')
  await expect(entries.nth(0).locator('ins')).toContainText('checked by Bob')
  await expect(entries.nth(1)).toHaveAttribute('data-actor', 'Alice')
  await expect(entries.nth(1)).toHaveAttribute('data-kind', 'status')
  await expect(entries.nth(1).getByTestId('history-diff')).toContainText(now)
  const api = await core.call('history.image', { imageId: id })
  expect(api.map((e) => e.actor)).toEqual(['Bob', 'Alice'])
  await entries.nth(1).scrollIntoViewIfNeeded()
  await shot(page, testInfo, 'history')

  // revert Bob's edit: the caption is back, and the revert is itself in the history
  await entries.nth(0).getByTestId('history-revert').click()
  await expect(en).toHaveValue(original)
  await expect(entries).toHaveCount(3)
  await expect(entries.nth(0)).toHaveAttribute('data-actor', 'Bob')
  expect((await core.call('images.get', { id })).en).toBe(original)

  // rebind "approve" to y in the settings dialog
  await page.getByTestId('settings-open').click()
  const dialog = page.getByTestId('settings-dialog')
  const approve = dialog.getByTestId('binding-approve')
  await approve.getByTestId('binding-change').click()
  await page.keyboard.press('y')
  await expect(approve.getByTestId('binding-keys')).toHaveText('y')
  await dialog.getByTestId('settings-save').click()
  await expect(dialog).toBeHidden()
  expect((await core.call('settings.get', { key: 'shortcuts' })).value).toEqual({ approve: 'y' })
  await page.getByTestId('grid').focus()
  await page.keyboard.press('y')
  await expect(status).toHaveText('approved')
  await page.keyboard.press('?')
  // approve is now y alone: a is free
  await expect(page.getByTestId('shortcut-approve').locator('td.keys')).toHaveText('y')
  await shot(page, testInfo, 'shortcut-sheet')
})
