/** Refusals, cancel and kill: an export never writes a partial dataset and never touches sources. */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runExport, type ExportImage } from '../../src-main/core/export'
import { GlossaError } from '../../src-main/shared/errors'
import { makeDataset, tempDir, writeImage } from '../fixtures/export/dataset'

let tmp: string
let images: ExportImage[]
let srcSnapshot: string[]

function tree(d: string): string[] {
  if (!fs.existsSync(d)) return []
  return fs
    .readdirSync(d, { withFileTypes: true, recursive: true })
    .map(
      (e) =>
        path.join(e.parentPath, e.name) +
        (e.isDirectory() ? '/' : `:${fs.statSync(path.join(e.parentPath, e.name)).size}`)
    )
    .sort()
}

beforeEach(async () => {
  tmp = tempDir()
  images = await makeDataset(tmp)
  srcSnapshot = tree(path.join(tmp, 'src'))
})
afterEach(() => {
  // sources are read-only to Glossa: every test ends with them unchanged
  expect(tree(path.join(tmp, 'src'))).toEqual(srcSnapshot)
  fs.rmSync(tmp, { recursive: true, force: true })
})

async function refusal(
  dest: string,
  imgs: ExportImage[] = images,
  extra: { sourceRoots?: string[] } = {}
): Promise<GlossaError> {
  const before = tree(tmp)
  const err = await runExport({
    images: imgs,
    profile: { format: 'kohya' },
    destination: dest,
    ...extra
  }).catch((e: unknown) => e)
  expect(err).toBeInstanceOf(GlossaError)
  expect(tree(tmp)).toEqual(before) // nothing written anywhere, no staging folder
  return err as GlossaError
}

describe('export refusals: a clear error and nothing written', () => {
  it('refuses a destination inside a source folder', async () => {
    const err = await refusal(path.join(tmp, 'src', 'char', 'export'))
    expect(err.code).toBe('FORBIDDEN')
    expect(err.message).toMatch(/is inside the source folder .*char/)
  })

  it('refuses a destination equal to a source folder, also through a symlink', async () => {
    expect((await refusal(path.join(tmp, 'src', 'style'))).message).toMatch(/is the source folder/)
    fs.symlinkSync(path.join(tmp, 'src'), path.join(tmp, 'link'))
    const err = await refusal(path.join(tmp, 'link', 'char', 'out'))
    expect(err.message).toMatch(/inside the source folder/)
    fs.unlinkSync(path.join(tmp, 'link'))
  })

  it('refuses a destination that contains a source folder', async () => {
    const err = await refusal(tmp)
    expect(err.code).toBe('FORBIDDEN')
    expect(err.message).toMatch(/contains the source folder/)
  })

  it('refuses a destination under an import root even when no image sits right there', async () => {
    const err = await refusal(path.join(tmp, 'src', 'new-folder'), images, {
      sourceRoots: [path.join(tmp, 'src')]
    })
    expect(err.message).toMatch(/inside the source folder/)
  })

  it('refuses a non-empty destination and leaves its contents alone', async () => {
    const dest = path.join(tmp, 'busy')
    fs.mkdirSync(dest)
    fs.writeFileSync(path.join(dest, 'keep.txt'), 'mine')
    const err = await refusal(dest)
    expect(err.code).toBe('CONFLICT')
    expect(err.message).toMatch(/not empty/)
    expect(fs.readFileSync(path.join(dest, 'keep.txt'), 'utf8')).toBe('mine')
  })

  it('refuses traversal and reserved concept names', async () => {
    for (const [concept, why] of [
      ['../../x', /"\.\.\/\.\.\/x".*path traversal/],
      ['CON', /"CON" is a reserved device name/],
      ['lpt1', /reserved device name/],
      ['a/b', /path separator/],
      ['name.', /ends with a dot/]
    ] as const) {
      const imgs = images.map((i) => (i.id === 3 ? { ...i, concept } : i))
      const err = await refusal(path.join(tmp, 'out'), imgs)
      expect(err.code).toBe('INVALID_ARGS')
      expect(err.message).toMatch(why)
    }
  })

  it('exports into an existing empty folder', async () => {
    const dest = path.join(tmp, 'empty')
    fs.mkdirSync(dest)
    const res = await runExport({ images, profile: { format: 'kohya' }, destination: dest })
    expect(res.validation.ok).toBe(true)
    expect(fs.existsSync(path.join(dest, 'dataset_config.toml'))).toBe(true)
  })
})

describe('export interruption', () => {
  it('a cancelled export leaves no destination and no staging folder', async () => {
    const ac = new AbortController()
    const dest = path.join(tmp, 'out')
    const err = await runExport({
      images,
      profile: { format: 'kohya' },
      destination: dest,
      signal: ac.signal,
      concurrency: 1,
      onProgress: (p) => {
        if (p.phase === 'images' && p.done === 2) ac.abort()
      }
    }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(GlossaError)
    expect((err as GlossaError).code).toBe('CANCELLED')
    expect(fs.existsSync(dest)).toBe(false)
    expect(fs.readdirSync(tmp).filter((n) => n.includes('staging'))).toEqual([])
  })

  it('a process killed mid-export leaves no destination; the next export removes its staging folder', async () => {
    const dest = path.join(tmp, 'out')
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.resolve('test/fixtures/export/kill-child.ts'),
        JSON.stringify(images),
        dest
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe']
      }
    )
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('mid-export')) resolve()
      })
      child.on('exit', () => reject(new Error(`child exited early: ${stderr}`)))
    })
    const staging = fs.readdirSync(tmp).filter((n) => n.startsWith('.out.glossa-staging-'))
    expect(staging).toHaveLength(1) // the work so far is in staging, beside the destination
    const exited = new Promise((r) => child.on('exit', r))
    child.kill('SIGKILL')
    await exited
    expect(fs.existsSync(dest)).toBe(false)
    expect(fs.existsSync(path.join(tmp, staging[0]!))).toBe(true)

    const res = await runExport({ images, profile: { format: 'kohya' }, destination: dest })
    expect(res.validation.ok).toBe(true)
    expect(fs.readdirSync(tmp).filter((n) => n.includes('glossa-staging'))).toEqual([])
  })

  it('a source image that cannot be read is skipped with its reason; the rest is exported', async () => {
    await writeImage(path.join(tmp, 'src', 'char', 'fine.gif'))
    srcSnapshot = tree(path.join(tmp, 'src'))
    const imgs: ExportImage[] = [
      ...images,
      {
        id: 20,
        path: path.join(tmp, 'src', 'char', 'gone.png'),
        concept: 'mychar',
        repeats: 10,
        status: 'approved',
        en: 'missing'
      },
      {
        id: 21,
        path: path.join(tmp, 'src', 'char', 'fine.gif'),
        concept: 'mychar',
        repeats: 10,
        status: 'approved',
        en: 'a gif'
      }
    ]
    const res = await runExport({
      images: imgs,
      profile: { format: 'kohya' },
      destination: path.join(tmp, 'out')
    })
    expect(res.exported).toBe(6)
    expect(res.skipped).toHaveLength(1)
    expect(res.skipped[0]).toMatchObject({
      imageId: 20,
      source: expect.stringContaining('gone.png')
    })
    expect(res.skipped[0]!.reason).toMatch(/the source file no longer exists/)
    // a GIF is not read by sd-scripts, so it was converted
    expect(fs.existsSync(path.join(tmp, 'out', 'img', '10_mychar', 'fine.png'))).toBe(true)
    expect(res.validation.ok).toBe(true)
  })
})
