/**
 * Chat VLMs and endpoints in the studio, end to end in real Chromium against browser mode:
 *  1. the tiny Qwen2-VL fixture is added on the Models page (a folder without a chat template is
 *     refused first, naming tokenizer_config.json); the Caption dialog tries it with Hunyuan's
 *     knowledge prompt on the image its glossary entry applies to (the prompt, the knowledge and
 *     the chat template's output are shown), captions the dataset, and the editor shows the
 *     prompt each image was sent; the structured preset fills fields.
 *  2. an OpenAI-compatible endpoint (the loopback fake server) is added on the Models page after
 *     "Test connection" lists the server's models, and the Caption dialog captions with it;
 *  3. a catalogue download (against a loopback Hugging Face stand-in) lists its files and sizes
 *     before fetching anything, then fetches exactly those and registers the model.
 * Screenshots at 1366×768 of the Models page and the Caption dialog are attached.
 */
import fs from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import type { Page, TestInfo } from '@playwright/test'
import { makeQwen2VL, qwen2vlFiles } from '../fixtures/models/make-qwen2vl'
import { startOpenAIServer } from '../fixtures/openai-server'
import { expect, test } from './fixtures'
import { openAction } from './studio-ui'

test.use({ viewport: { width: 1366, height: 768 } })

async function shot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const file = testInfo.outputPath(`${name}.png`)
  await page.screenshot({ path: file })
  await testInfo.attach(name, { path: file, contentType: 'image/png' })
}

async function images(root: string): Promise<string> {
  const dir = path.join(root, 'places')
  const items: [string, string, string | null][] = [
    ['tower/red-tower.png', '#fa0a0a', '广州塔 夜景 #travel'],
    ['plain/green.png', '#00dc1e', null],
    ['plain/blue.png', '#1428f0', null]
  ]
  for (const [rel, colour, raw] of items) {
    const file = path.join(dir, rel)
    await fs.mkdir(path.dirname(file), { recursive: true })
    await sharp({ create: { width: 80, height: 60, channels: 3, background: colour } })
      .png()
      .toFile(file)
    if (raw) await fs.writeFile(file.replace(/\.png$/, '.txt'), raw)
  }
  return dir
}

test('add a fixture chat VLM, try the knowledge prompt, caption, see the prompt sent', async ({
  page,
  studio
}, testInfo) => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'glossa-e2e-vlm-'))
  try {
    const qwen = await makeQwen2VL(path.join(root, 'models', 'qwen2-vl-tiny'))
    const broken = await makeQwen2VL(path.join(root, 'models', 'no-template'), {
      defect: 'no-chat-template'
    })
    await page.getByTestId('lang-en').click()
    const imp = await studio.core.call('import.start', {
      dir: await images(root),
      datasetName: 'places'
    })
    expect((await studio.core.waitForJob(imp.jobId)).status).toBe('done')
    await studio.core.call('glossary.save', {
      datasetId: imp.datasetId,
      entry: {
        kind: 'landmark',
        name: { zh: '广州塔', en: 'Canton Tower' },
        triggers: { paths: ['tower/**'] }
      }
    })

    // --- the Models page: the broken folder is refused with the file named, the good one added
    await page.getByTestId('nav-models').click()
    await page.getByTestId('model-add-path').fill(broken)
    await page.getByTestId('model-add-submit').click()
    await expect(page.getByTestId('model-add-error')).toContainText(
      path.join(broken, 'tokenizer_config.json')
    )
    await page.getByTestId('model-add-path').fill(qwen)
    await page.getByTestId('model-add-submit').click()
    const card = page.locator('[data-testid="model-card"][data-kind="chat-vlm"]')
    await expect(card).toHaveCount(1)
    await expect(card).toContainText('qwen2_vl')

    // --- the Caption dialog: select the tower image, try the knowledge prompt on it
    await page.goto(`${studio.origin}/#/datasets/${imp.datasetId}`)
    await expect(page.getByTestId('grid-total')).toContainText('3')
    await page.locator('[data-testid="grid-row"]', { hasText: 'red-tower.png' }).click()
    await openAction(page, 'caption-open')
    const dialog = page.getByTestId('caption-dialog')
    await expect(dialog).toBeVisible()
    await page.getByTestId('caption-model').selectOption('qwen2-vl-tiny')
    await page.getByTestId('caption-preset').selectOption('hunyuan-insert')
    await page.getByTestId('caption-target-dataset').check()
    await page.getByTestId('caption-try').click()
    const preview = page.getByTestId('caption-preview')
    await expect(preview).toBeVisible({ timeout: 60_000 })
    await expect(page.getByTestId('caption-preview-text')).toHaveText('红色的广州塔')
    await expect(page.getByTestId('caption-preview-prompt')).toHaveText(
      '根据提示词\u201c广州塔\u201d,描述这张图片'
    )
    await expect(page.getByTestId('caption-preview-knowledge')).toContainText('广州塔')
    await preview.locator('details.caption-rendered summary').click()
    await expect(page.getByTestId('caption-preview-rendered')).toContainText(
      '<|vision_start|><|image_pad|><|vision_end|>根据提示词'
    )
    await shot(page, testInfo, 'caption-dialog-chat-vlm')

    // --- start: the job runs, the grid shows the captions
    await page.getByTestId('caption-start').click()
    await expect(dialog).toBeHidden()
    const job = page.locator('[data-testid="job-card"]').first()
    await expect(job).toHaveAttribute('data-status', 'done', { timeout: 120_000 })
    const rows = page.locator('[data-testid="grid-row"]')
    await expect(rows.filter({ hasText: 'red-tower.png' })).toContainText('红色的广州塔')
    // no glossary entry and no raw caption: the plain Chinese prompt
    await expect(rows.filter({ hasText: 'green.png' })).toContainText('一张绿色的图片')

    // --- the editor shows the prompt each image was sent
    while ((await page.getByTestId('job-dismiss').count()) > 0)
      await page.getByTestId('job-dismiss').first().click()
    await rows.filter({ hasText: 'red-tower.png' }).click()
    const sent = page.locator('[data-testid="caption-prompt"][data-lang="zh"]')
    await expect(sent).toHaveAttribute('data-current', 'true')
    await expect(sent.getByTestId('caption-prompt-text')).toHaveText(
      '根据提示词\u201c广州塔\u201d,描述这张图片'
    )
    await expect(sent).toContainText('model:qwen2-vl-tiny:hunyuan-insert')
    await sent.scrollIntoViewIfNeeded()
    await shot(page, testInfo, 'editor-prompt-sent')

    // --- the structured preset: its JSON answer becomes fields
    await openAction(page, 'caption-open')
    await page.getByTestId('caption-model').selectOption('qwen2-vl-tiny')
    await page.getByTestId('caption-preset').selectOption('structured-en')
    await page.getByTestId('caption-target-dataset').check()
    await page.getByTestId('caption-start').click()
    await expect(page.locator('[data-testid="job-card"]').first()).toHaveAttribute(
      'data-status',
      'done',
      { timeout: 120_000 }
    )
    const page1 = await studio.core.call('images.page', {
      filter: { datasetId: imp.datasetId },
      limit: 10
    })
    const blue = page1.rows.find((r) => r.fileName === 'blue.png')!
    const img = await studio.core.call('images.get', { id: blue.id })
    expect(img.captions.en).toMatchObject({
      fields: { subject: 'a blue image' },
      source: 'model:qwen2-vl-tiny:structured-en'
    })
    await page.getByTestId('nav-models').click()
    await expect(page.getByTestId('models-page')).toBeVisible()
    await shot(page, testInfo, 'models-page-chat-vlm')
  } finally {
    await fs.rm(root, { recursive: true, force: true })
  }
})

test('add an OpenAI-compatible endpoint, test the connection, caption with it', async ({
  page,
  studio
}, testInfo) => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'glossa-e2e-endpoint-'))
  const server = await startOpenAIServer({ models: ['qwen2.5vl:7b', 'llava:13b'] })
  try {
    await page.getByTestId('lang-en').click()
    const imp = await studio.core.call('import.start', {
      dir: await images(root),
      datasetName: 'places'
    })
    expect((await studio.core.waitForJob(imp.jobId)).status).toBe('done')

    await page.getByTestId('nav-models').click()
    const form = page.getByTestId('endpoint-add')
    await page.getByTestId('endpoint-name').fill('ollama-box')
    await page.getByTestId('endpoint-url').fill(server.origin)
    await page.getByTestId('endpoint-model').fill('qwen2.5vl')
    await page.getByTestId('endpoint-concurrency').fill('2')
    await page.getByTestId('endpoint-test-draft').click()
    const result = form.getByTestId('endpoint-test-result')
    await expect(result).toHaveAttribute('data-ok', 'false')
    await expect(result).toContainText('"qwen2.5vl" is not among the models it serves')
    // pick the right name from the server's list, test again
    await form.getByTestId('endpoint-served-model').filter({ hasText: 'qwen2.5vl:7b' }).click()
    await expect(page.getByTestId('endpoint-model')).toHaveValue('qwen2.5vl:7b')
    await page.getByTestId('endpoint-test-draft').click()
    await expect(result).toHaveAttribute('data-ok', 'true')
    await expect(result).toContainText('serves "qwen2.5vl:7b"')
    await shot(page, testInfo, 'models-page-endpoint-form')
    await page.getByTestId('endpoint-submit').click()
    const card = page.locator('[data-testid="model-card"][data-kind="endpoint"]')
    await expect(card).toHaveCount(1)
    await expect(card).toContainText(`${server.origin}/v1`)
    await expect(card).toContainText('2 in flight')
    await expect(card).toContainText('no key')
    // browser mode: the page never handles a key
    await expect(page.getByTestId('endpoint-key')).toHaveCount(0)
    await card.getByTestId('endpoint-test').click()
    await expect(card.getByTestId('endpoint-test-result')).toHaveAttribute('data-ok', 'true')
    await card.scrollIntoViewIfNeeded()
    await shot(page, testInfo, 'models-page-endpoint')

    // --- the Caption dialog works unchanged with the endpoint
    await page.goto(`${studio.origin}/#/datasets/${imp.datasetId}`)
    await openAction(page, 'caption-open')
    await page.getByTestId('caption-model').selectOption('ollama-box')
    await page.getByTestId('caption-preset').selectOption('hunyuan-zh')
    await page.getByTestId('caption-target-dataset').check()
    await page.getByTestId('caption-try').click()
    await expect(page.getByTestId('caption-preview-text')).toContainText('80x60')
    await shot(page, testInfo, 'caption-dialog-endpoint')
    await page.getByTestId('caption-start').click()
    const job = page.locator('[data-testid="job-card"]').first()
    await expect(job).toHaveAttribute('data-status', 'done', { timeout: 60_000 })
    const rows = page.locator('[data-testid="grid-row"]')
    await expect(rows.filter({ hasText: 'green.png' })).toContainText('一张80x60的绿色图片。')
    expect(server.chatRequests().every((r) => r.shapeErrors.length === 0)).toBe(true)
  } finally {
    await server.close()
    await fs.rm(root, { recursive: true, force: true })
  }
})

test('a catalogue download shows its files and sizes first, then fetches them', async ({
  page,
  studio
}, testInfo) => {
  // a loopback Hugging Face stand-in serving the Qwen2-VL fixture as the catalogue's repo, with
  // its sessions named for dtype q4 and files transformers.js never opens
  const repo = 'onnx-community/Qwen2-VL-2B-Instruct'
  const files = new Map<string, Buffer>()
  for (const [rel, data] of Object.entries(qwen2vlFiles({ modelType: 'qwen2_vl' })))
    files.set(rel.replace(/^onnx\/(.+)\.onnx$/, 'onnx/$1_q4.onnx'), Buffer.from(data))
  files.set('vocab.json', Buffer.from('{}'))
  files.set('merges.txt', Buffer.from('#version: 0.2\n'))
  const resolved: string[] = []
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    if (url.pathname === `/api/models/${repo}/tree/main`) {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify([...files].map(([p, b]) => ({ type: 'file', path: p, size: b.length })))
      )
      return
    }
    const prefix = `/${repo}/resolve/main/`
    const body = url.pathname.startsWith(prefix)
      ? files.get(decodeURIComponent(url.pathname.slice(prefix.length)))
      : undefined
    if (!body) return void res.writeHead(404).end()
    resolved.push(url.pathname.slice(prefix.length))
    res.writeHead(200, { 'content-length': body.length }).end(body)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  try {
    await page.getByTestId('lang-en').click()
    await page.getByTestId('nav-models').click()
    await page.getByTestId('catalogue-mirror').fill(mirror)
    const row = page.locator(`[data-testid="catalogue-row"][data-repo="${repo}"]`)
    await row.getByTestId('catalogue-download').click()
    const plan = page.getByTestId('catalogue-plan')
    await expect(plan).toBeVisible()
    await expect(plan.getByTestId('catalogue-plan-file')).toHaveCount(8)
    await expect(plan.locator('[data-path="onnx/decoder_model_merged_q4.onnx"]')).toContainText(
      /\d+(\.\d)? KB/
    )
    await expect(plan.locator('[data-path="vocab.json"]')).toHaveCount(0)
    expect(resolved).toEqual([])
    await plan.scrollIntoViewIfNeeded()
    await shot(page, testInfo, 'models-page-download-plan')
    await page.getByTestId('catalogue-confirm').click()
    const card = page.locator('[data-testid="model-card"][data-kind="chat-vlm"]')
    await expect(card).toHaveCount(1, { timeout: 60_000 })
    await expect(card).toContainText(repo)
    expect(resolved.sort()).toEqual([...files.keys()].filter((f) => !/vocab|merges/.test(f)).sort())
    const m = (await studio.core.call('models.list', {}))[0]!
    expect(m.files).toContain('onnx/vision_encoder_q4.onnx')
  } finally {
    await new Promise((r) => server.close(r))
  }
})
