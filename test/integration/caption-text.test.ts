/**
 * Issue 12 through the core API: the cleanup guard in preview and apply (held steps listed, never
 * applied silently; released images get them), history labels naming presets, tag-list captions
 * on import, lint of missing and emptied captions.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCore, type Core } from '../../src-main/core'
import type { ImageDetail } from '../../src-main/shared/api'
import { writeImage } from '../fixtures/export/dataset'
import { cliJson, runGlossa } from '../fixtures/cli'

const dirs: string[] = []
function tmp(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `glossa-ct-${prefix}-`))
  dirs.push(d)
  return d
}

let core: Core
beforeAll(() => {
  core = createCore({ dataDir: tmp('data') })
})
afterAll(async () => {
  await core.close()
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true })
})

/** A folder of images (each its own colour) with the given sidecar captions ('' = none). */
async function folder(name: string, captions: Record<string, string>): Promise<string> {
  const root = path.join(tmp(name), name)
  let n = 0
  for (const [rel, text] of Object.entries(captions)) {
    const file = path.join(root, ...rel.split('/'))
    n++
    await writeImage(file, { color: `#${(0x102030 + n * 0x050709).toString(16).slice(-6)}` })
    if (text !== '') fs.writeFileSync(file.replace(/\.\w+$/, '.txt'), text)
  }
  return root
}

async function importDir(dir: string, formatOptions: Record<string, unknown> = {}) {
  const started = await core.call('import.start', {
    dir,
    datasetName: path.basename(dir) + Math.random(),
    formatOptions
  })
  const job = await core.waitForJob(started.jobId)
  expect(job.status).toBe('done')
  return started.datasetId
}

async function details(datasetId: number): Promise<Map<string, ImageDetail>> {
  const page = await core.call('images.page', { filter: { datasetId }, limit: 1000 })
  const all = await Promise.all(page.rows.map((r) => core.call('images.get', { id: r.id })))
  return new Map(all.map((d) => [d.relPath, d]))
}

describe('cleanup guard', () => {
  let ds: number
  beforeAll(async () => {
    ds = await importDir(
      await folder('guard', {
        'a.png': '#夜景 一位女孩站在广州塔前 https://weibo.com/123',
        'b.png': 'A foggy forest. Photo by Jane Doe on Unsplash',
        'c.png': 'https://example.com/x.jpg',
        'd.png': ''
      })
    )
  })

  it('preview lists what the guard holds back; apply leaves it; a released image gets it', async () => {
    const target = { datasetId: ds }
    const p = await core.call('cleanup.preview', { target, presets: ['web-scrape'], limit: 50 })
    // c.png: the URL is all there is; removing it would empty the caption
    expect(p.heldItems).toBe(1)
    expect(p.held).toHaveLength(1)
    const h = p.held[0]!
    expect(h.relPath).toBe('c.png')
    expect(h.steps[0]).toMatchObject({ rule: 'url', reason: 'empties', after: '' })
    expect(p.totals.find((t) => t.rule === 'url')?.held).toBe(1)
    // the other two are cleaned, content kept
    const a = p.items.find((i) => i.relPath === 'a.png')!
    expect(a.after.zh).toContain('一位女孩站在广州塔前')

    const applied = await core.call('cleanup.apply', { target, presets: ['web-scrape'] })
    expect(applied.changed).toBe(2)
    expect(applied.heldItems).toBe(1)
    let d = await details(ds)
    expect(d.get('c.png')!.captions.en!.text).toBe('https://example.com/x.jpg')
    expect(d.get('a.png')!.captions.zh!.text).toBe('一位女孩站在广州塔前')

    const cId = d.get('c.png')!.id
    const released = await core.call('cleanup.apply', {
      target,
      presets: ['web-scrape'],
      releaseImageIds: [cId]
    })
    expect(released.changed).toBe(1)
    expect(released.heldItems).toBe(0)
    d = await details(ds)
    expect(d.get('c.png')!.captions.en!.text).toBe('')

    // lint names the emptied caption (and the image now has no caption at all)
    const lint = await core.call('captions.lint', { target: { datasetId: ds } })
    const c = lint.images.find((i) => i.fileName === 'c.png')!
    expect(c.issues.map((i) => i.rule).sort()).toEqual(['emptied-by-cleanup', 'no-caption'])
    expect(c.issues.find((i) => i.rule === 'emptied-by-cleanup')!.lang).toBe('en')
    expect(lint.images.some((i) => i.fileName === 'a.png')).toBe(false)
  })

  it('lint flags an image without any caption', async () => {
    const lint = await core.call('captions.lint', {
      target: { datasetId: ds },
      rules: ['no-caption']
    })
    expect(lint.images.map((i) => i.fileName)).toContain('d.png')
  })

  it('history names the presets that ran, also with rules toggled', async () => {
    const target = { datasetId: ds }
    await core.call('cleanup.apply', {
      target,
      steps: [
        { rule: 'whitespace', enabled: true },
        { rule: 'punct-width', enabled: true },
        { rule: 't2s', enabled: false },
        { rule: 'url', enabled: true }
      ],
      userRules: [{ id: 'x', find: 'forest', replace: 'wood', regex: false }]
    })
    const hist = await core.call('history.list', {})
    expect(hist[0]!.label).toBe('Cleanup: web-scrape (edited), normalise (edited) (+1 user rule)')
    expect(hist[0]!.label).not.toMatch(/custom rules/)
  })
})

describe('tag-list captions on import', () => {
  const CAPS = {
    'tags.png': '1girl, solo ,long hair,, smile , , blush',
    'mixed.png': 'A girl in a park. 1girl, solo, smile',
    'text.png': 'A girl, smiling, long hair flowing in the wind.',
    'zh.png': '一位少女，坐在咖啡馆的窗边，阳光洒在桌上'
  }

  it('import.detect counts how captions will be read; the override changes it', async () => {
    const dir = await folder('detect', CAPS)
    const r = await core.call('import.detect', { dir })
    expect(r.captionKinds).toEqual({ tags: 1, mixed: 1, text: 2 })
    const row = r.rows.find((x) => x.key === 'mixed.png')!
    expect(row.captionKind).toBe('mixed')
    expect(row.captionText).toBe('A girl in a park.')
    expect(row.captionTags).toEqual(['1girl', 'solo', 'smile'])
    const asText = await core.call('import.detect', { dir, formatOptions: { captionKind: 'text' } })
    expect(asText.captionKinds).toEqual({ tags: 0, mixed: 0, text: 4 })
  })

  it('the totals count every caption of the folder, not only the rows the preview shows', async () => {
    const many: Record<string, string> = {}
    for (let i = 0; i < 30; i++) many[`t${String(i).padStart(2, '0')}.png`] = '1girl, solo, smile'
    for (let i = 0; i < 7; i++) many[`s${i}.png`] = 'A quiet street at dusk, lamps on.'
    const dir = await folder('detect-all', many)
    const r = await core.call('import.detect', { dir, limit: 5, totals: true })
    expect(r.rows).toHaveLength(5)
    expect(r.totals!.captionKinds).toEqual({ tags: 30, mixed: 0, text: 7 })
    const asText = await core.call('import.detect', {
      dir,
      limit: 5,
      totals: true,
      formatOptions: { captionKind: 'text' }
    })
    expect(asText.totals!.captionKinds).toEqual({ tags: 0, mixed: 0, text: 37 })
  })

  it('a tag-only dataset exports its tags, trigger word first and kept, as kohya reads them', async () => {
    const ds = await importDir(
      await folder('tagexport', {
        'a.png': '1girl, solo ,long_hair,, smile , , blush',
        'b.png': '1boy, hat, 1boy'
      })
    )
    const out = path.join(tmp('tagexport-out'), 'out')
    const { jobId, images } = await core.call('export.start', {
      datasetId: ds,
      profile: {
        format: 'kohya',
        status: 'any',
        caption: { triggerWords: ['mychar'], keepTokens: 'count' }
      },
      destination: out
    })
    expect(images).toBe(2)
    const job = await core.waitForJob(jobId)
    expect(job.status, job.error ?? '').toBe('done')
    const { report } = await core.call('export.report', { jobId })
    expect(report!.validation.ok, JSON.stringify(report!.validation.issues)).toBe(true)
    const caps = new Map<string, string>()
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const f = path.join(d, e.name)
        if (e.isDirectory()) walk(f)
        else if (e.name.endsWith('.txt') && e.name !== 'README.txt')
          caps.set(e.name, fs.readFileSync(f, 'utf8').split('\n')[0]!.trim())
      }
    }
    walk(out)
    // the image's own tags in their order (tidied, de-duplicated), after the trigger word
    expect(caps.get('a.txt')).toBe('mychar, 1girl, solo, long_hair, smile, blush')
    expect(caps.get('b.txt')).toBe('mychar, 1boy, hat')
    const toml = fs.readdirSync(out).find((f) => f.endsWith('.toml'))
    expect(toml, 'a dataset config is written').toBeTruthy()
    expect(fs.readFileSync(path.join(out, toml!), 'utf8')).toMatch(/keep_tokens\s*=\s*1/)
  })

  it('a tag list becomes the tags in order, raw kept; a sentence beside tags stays text', async () => {
    const ds = await importDir(await folder('tagimport', CAPS))
    const d = await details(ds)
    const tags = d.get('tags.png')!
    expect(tags.tagRows.map((t) => t.tag)).toEqual(['1girl', 'solo', 'long hair', 'smile', 'blush'])
    expect(tags.captions.en ?? null).toBeNull()
    expect(tags.raw).toBe(CAPS['tags.png'])
    const mixed = d.get('mixed.png')!
    expect(mixed.captions.en!.text).toBe('A girl in a park.')
    expect(mixed.tagRows.map((t) => t.tag)).toEqual(['1girl', 'solo', 'smile'])
    expect(d.get('text.png')!.captions.en!.text).toBe(CAPS['text.png'])
    expect(d.get('text.png')!.tagRows).toEqual([])
    expect(d.get('zh.png')!.captions.zh!.text).toBe(CAPS['zh.png'])

    // the tag panel and statistics see them
    const list = await core.call('tags.list', { filter: { datasetId: ds } })
    expect(list.distinct).toBe(5)
    expect(list.tags.find((t) => t.tag === 'solo')?.count).toBe(2)
    // bulk tag edits work on them
    await core.call('tags.rename', { from: 'solo', to: 'alone', datasetId: ds })
    const after = await details(ds)
    expect(after.get('tags.png')!.tagRows.map((t) => t.tag)).toContain('alone')
  })

  it('the per-import override keeps captions as text', async () => {
    const ds = await importDir(await folder('astext', CAPS), { captionKind: 'text' })
    const d = await details(ds)
    expect(d.get('tags.png')!.captions.en!.text).toBe(CAPS['tags.png'])
    expect(d.get('tags.png')!.tagRows).toEqual([])
  })
})

describe('glossa import --caption-kind and glossa ls --search-raw', () => {
  it('imports tag lists as tags (auto) or as text (--caption-kind text)', async () => {
    const dir = await folder('cli', { 'tags.png': '1girl, solo, long hair, smile' })
    const tmpDir = tmp('cli-run')
    const lib = path.join(tmpDir, 'lib.sqlite')
    const run = (args: string[]) => runGlossa(args, { tmp: tmpDir, library: lib })
    const auto = await run(['import', dir, '--dataset', 'auto'])
    expect(auto.code, auto.stderr).toBe(0)
    const asText = await run(['import', dir, '--dataset', 'astext', '--caption-kind', 'text'])
    expect(asText.code, asText.stderr).toBe(0)
    const bad = await run(['import', dir, '--caption-kind', 'nope'])
    expect(bad.code).not.toBe(0)
    // the tag list is searchable as tags in "auto"; in "astext" it is the English caption
    const ls = async (dataset: string, ...more: string[]) =>
      cliJson<{ images: { tags: string[]; en: string }[] }>(
        await run(['ls', '--dataset', dataset, '--json', ...more])
      ).images
    expect((await ls('auto'))[0]!.tags).toEqual(['1girl', 'solo', 'long hair', 'smile'])
    expect((await ls('astext'))[0]!.en).toBe('1girl, solo, long hair, smile')
    expect(await ls('auto', '--search', 'solo smile')).toHaveLength(1)
  })
})
