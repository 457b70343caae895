/**
 * Structured captions and glossaries in the studio, in real Chromium against browser mode:
 * switch an image's caption between the fields and text views, edit a field and watch the text
 * follow (and the other way round), see the token budgets labelled as estimates, import a
 * glossary CSV (and a bad one, with its row errors), apply it with a preview, untick one image,
 * check that only the ticked images changed, and undo with Ctrl+Z.
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import type { Page, TestInfo } from '@playwright/test'
import type { Core } from '../../src-main/core'
import { expect, ROOT, test } from './fixtures'
import { openAction } from './studio-ui'

const CSV = path.join(ROOT, 'test/fixtures/glossary/landmarks.csv')

/** Images with zh sidecars: three mention the Canton Tower by an alias, one is a cat. */
const IMAGES: Record<string, string> = {
  'a-tower.png': '远处的廣州塔在夜色中闪耀。',
  'b-tower.png': '小蛮腰高耸入云。',
  'c-tower.png': '小蠻腰和珠江夜景。',
  'd-cat.png': '一只橘猫坐在窗台上。'
}

async function makeLibrary(core: Core): Promise<{
  root: string
  datasetId: number
  ids: Record<string, number>
}> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'glossa-e2e-glossary-'))
  const dir = path.join(root, 'canton')
  await fs.mkdir(dir)
  let i = 0
  for (const [name, caption] of Object.entries(IMAGES)) {
    i++
    await sharp({
      create: { width: 96, height: 64, channels: 3, background: { r: 40 * i, g: 90, b: 160 } }
    })
      .png()
      .toFile(path.join(dir, name))
    await fs.writeFile(path.join(dir, name.replace(/\.png$/, '.txt')), caption, 'utf8')
  }
  const { jobId, datasetId } = await core.call('import.start', { dir, datasetName: 'canton' })
  const job = await core.waitForJob(jobId)
  if (job.status !== 'done') throw new Error(`import ended ${job.status}`)
  const page = await core.call('images.page', {
    filter: { datasetId },
    sort: { key: 'name', dir: 'asc' },
    cursor: null,
    limit: 100,
    withTotal: false
  })
  const ids = Object.fromEntries(page.rows.map((r) => [r.fileName, r.id]))
  return { root, datasetId, ids }
}

async function zhText(core: Core, id: number): Promise<string | null> {
  const d = await core.call('images.get', { id })
  return d.captions.zh?.text ?? null
}

async function shot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const file = testInfo.outputPath(`${name}.png`)
  await page.screenshot({ path: file })
  await testInfo.attach(name, { path: file, contentType: 'image/png' })
}

test('fields/text views, glossary import, apply with preview and an unticked image, undo', async ({
  page,
  studio
}, testInfo) => {
  const { root, datasetId, ids } = await makeLibrary(studio.core)
  try {
    await page.getByTestId('lang-en').click()
    await page.goto(`${studio.origin}/#/datasets/${datasetId}`)
    await expect(page.getByTestId('grid-row')).toHaveCount(4)

    // --- open the cat, switch to the fields view: the text was parsed into fields
    const cat = ids['d-cat.png']!
    await page.locator(`[data-testid="grid-row"][data-id="${cat}"]`).click()
    await expect(page.getByTestId('editor-zh')).toHaveValue(IMAGES['d-cat.png']!)
    await page.getByTestId('view-fields-zh').click()
    await expect(page.getByTestId('caption-zh')).toHaveAttribute('data-view', 'fields')
    // the caption is parsed (who, then what it does), not dumped into the subject
    await expect(page.getByTestId('field-zh-subject')).toHaveValue('一只橘猫')
    await expect(page.getByTestId('field-zh-action')).toHaveValue('坐在窗台上')
    // the connecting words the paragraph adds are shown beside the fields
    await expect(page.getByTestId('field-join-zh-background')).toHaveText('背景是')
    // the budgets are estimates without a tokenizer.json, and say so
    const clip = page.getByTestId('budget-zh-clip')
    await expect(clip).toHaveAttribute('data-exact', 'false')
    await expect(clip).toContainText('estimate')
    await expect(page.getByTestId('budget-zh-mt5')).toContainText('/256')

    // --- edit a field: the text follows, and is saved
    await page.getByTestId('field-zh-background').fill('木质窗台')
    const rendered = '一只橘猫，坐在窗台上。背景是木质窗台。'
    await expect(page.getByTestId('fields-text-zh')).toHaveText(rendered)
    // a background that says 是 itself is led in with 背景中, not 背景是
    await page.getByTestId('field-zh-background').fill('窗外是广州塔')
    await expect(page.getByTestId('field-join-zh-background')).toHaveText('背景中')
    await expect(page.getByTestId('fields-text-zh')).toHaveText(
      '一只橘猫，坐在窗台上。背景中，窗外是广州塔。'
    )
    await page.getByTestId('field-zh-background').fill('木质窗台')
    await expect(page.getByTestId('fields-text-zh')).toHaveText(rendered)
    await expect(page.getByTestId('save-state')).toHaveAttribute('data-state', 'saved')
    await expect.poll(() => zhText(studio.core, cat)).toBe(rendered)
    await shot(page, testInfo, 'fields-view')

    // --- back to the text view: same caption; edit the text and the fields follow
    await page.getByTestId('view-text-zh').click()
    await expect(page.getByTestId('editor-zh')).toHaveValue(rendered)
    await page.getByTestId('editor-zh').fill('一只橘猫。画面采用居中构图。')
    await page.getByTestId('view-fields-zh').click()
    await expect(page.getByTestId('field-zh-subject')).toHaveValue('一只橘猫')
    await expect(page.getByTestId('field-zh-composition')).toHaveValue('居中')
    await expect(page.getByTestId('field-zh-background')).toHaveValue('')
    await expect.poll(() => zhText(studio.core, cat)).toBe('一只橘猫。画面采用居中构图。')
    await page.getByTestId('view-text-zh').click()

    // --- over budget: the text beyond CLIP's cut is highlighted
    await page
      .getByTestId('editor-en')
      .fill('a small orange cat sitting on a windowsill, '.repeat(8))
    await expect(page.getByTestId('budget-en-clip')).toHaveAttribute('data-over', 'true')
    await expect(page.getByTestId('budget-en-mt5')).toHaveAttribute('data-over', 'false')
    await expect(page.getByTestId('budget-cut-en').locator('mark')).not.toBeEmpty()
    await shot(page, testInfo, 'over-budget')

    // --- the glossary page of the dataset: a bad CSV gets row errors, the fixture imports
    await openAction(page, 'glossary-open')
    await expect(page.getByTestId('glossary-page')).toBeVisible()
    const bad = path.join(root, 'bad.csv')
    await fs.writeFile(bad, 'name_zh,name_en,kind\n西湖,West Lake,planet\n,,term\n', 'utf8')
    await page.getByTestId('glossary-file').fill(bad)
    await page.getByTestId('glossary-import').click()
    await expect(page.getByTestId('glossary-row-error')).toHaveCount(2)
    await expect(page.getByTestId('glossary-row-error').first()).toContainText('kind')
    await page.getByTestId('glossary-file').fill(CSV)
    await page.getByTestId('glossary-import').click()
    await expect(page.getByTestId('glossary-import-result')).toContainText('5 added')
    await expect(page.getByTestId('glossary-row')).toHaveCount(5)
    await expect(page.getByTestId('glossary-table')).toContainText('广州塔')
    await shot(page, testInfo, 'glossary-page')

    // --- back on the dataset: the lint filter lists the captions using an alias (廣州塔 is the
    // name in the other script, not an alias) and the over-budget English caption
    await page.goto(`${studio.origin}/#/datasets/${datasetId}`)
    await expect(page.getByTestId('grid-row')).toHaveCount(4)
    await page.getByTestId('lint-filter').click()
    await expect(page.getByTestId('lint-total')).toHaveAttribute('data-count', '3')
    const lintRows = page.getByTestId('lint-list').getByTestId('lint-row')
    for (const name of ['b-tower.png', 'c-tower.png']) {
      await expect(
        lintRows.filter({ hasText: name }).locator('[data-rule="alias-without-name"]')
      ).toHaveCount(1)
    }
    await expect(
      lintRows.filter({ hasText: 'd-cat.png' }).locator('[data-rule="over-budget"]')
    ).toHaveCount(1)
    await shot(page, testInfo, 'lint-filter')
    await page.getByTestId('lint-filter').click()
    await expect(page.getByTestId('lint-list')).toBeHidden()

    // --- apply with a preview; untick b
    await openAction(page, 'apply-open')
    const dialog = page.getByTestId('glossary-apply-dialog')
    await expect(dialog).toBeVisible()
    const proposals = dialog.getByTestId('proposal')
    await expect(proposals).toHaveCount(3)
    const a = proposals.filter({ hasText: 'a-tower.png' })
    await expect(a.getByTestId('proposal-diff-zh').locator('del')).toHaveText('廣')
    await expect(a.getByTestId('proposal-diff-zh').locator('ins')).toHaveText('广')
    await expect(a.getByTestId('proposal-reason').first()).toContainText('广州塔')
    await proposals.filter({ hasText: 'b-tower.png' }).getByTestId('proposal-tick').uncheck()
    await expect(dialog.getByTestId('apply-confirm')).toHaveText('Apply to 2 images')
    await shot(page, testInfo, 'apply-preview')
    await dialog.getByTestId('apply-confirm').click()
    await expect(dialog).toBeHidden()

    expect(await zhText(studio.core, ids['a-tower.png']!)).toBe('远处的广州塔在夜色中闪耀。')
    expect(await zhText(studio.core, ids['b-tower.png']!)).toBe(IMAGES['b-tower.png'])
    expect(await zhText(studio.core, ids['c-tower.png']!)).toBe('广州塔和珠江夜景。')
    // the studio shows it too
    await page.locator(`[data-testid="grid-row"][data-id="${ids['c-tower.png']}"]`).click()
    await expect(page.getByTestId('editor-zh')).toHaveValue('广州塔和珠江夜景。')
    await expect(page.getByTestId('knowledge-panel')).toHaveAttribute('data-count', '1')
    await shot(page, testInfo, 'applied')

    // --- Ctrl+Z undoes the whole apply
    await page.getByTestId('grid').focus()
    await page.keyboard.press('Control+z')
    await expect.poll(() => zhText(studio.core, ids['a-tower.png']!)).toBe(IMAGES['a-tower.png'])
    expect(await zhText(studio.core, ids['c-tower.png']!)).toBe(IMAGES['c-tower.png'])
    expect(await zhText(studio.core, ids['b-tower.png']!)).toBe(IMAGES['b-tower.png'])
    await expect(page.getByTestId('editor-zh')).toHaveValue(IMAGES['c-tower.png']!)
    // the cat keeps its own edit
    expect(await zhText(studio.core, cat)).toBe('一只橘猫。画面采用居中构图。')
    await shot(page, testInfo, 'undone')

    // --- 简/繁: convert the selected caption (小蠻腰…) to Simplified, then undo it
    await openAction(page, 'convert-open')
    const convert = page.getByTestId('convert-dialog')
    await expect(convert.getByTestId('scope-selection')).toBeChecked()
    await convert.getByTestId('convert-to').selectOption('simplified')
    await convert.getByTestId('convert-confirm').click()
    await expect(convert).toBeHidden()
    await expect(page.getByTestId('editor-zh')).toHaveValue('小蛮腰和珠江夜景。')
    expect(await zhText(studio.core, ids['b-tower.png']!)).toBe(IMAGES['b-tower.png'])
    await page.getByTestId('grid').focus()
    await page.keyboard.press('Control+z')
    await expect(page.getByTestId('editor-zh')).toHaveValue(IMAGES['c-tower.png']!)
  } finally {
    await fs.rm(root, { recursive: true, force: true })
  }
})
