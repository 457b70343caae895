/**
 * The `glossa` command line, run for real as a child process (tsx on the TypeScript source)
 * against temporary libraries: exit statuses, `--json` output, the import summary with its failed
 * files, ls fields, review → undo → redo, the refusal of a too-new library, and `serve`.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLI_ARGS, cliJson, REPO, runGlossa, type CliRun } from '../fixtures/cli'
import { GLOSSA_APPLICATION_ID } from '../../src-main/core/db/identity'
import { makeBadFolder, makeImage, type BadEntry } from '../fixtures/generate'

let tmp: string

const glossa = (args: string[]): Promise<CliRun> => runGlossa(args, { tmp })

interface ImportJson {
  ok: boolean
  dataset: string
  resumed: boolean
  status: string
  counts: { total: number; added: number; updated: number; unchanged: number; failed: number }
  failed: { file: string; reason: string }[]
}

interface LsImage {
  id: number
  path: string
  relPath: string
  concept: string
  repeats: number | null
  status: string
  raw: string | null
  zh: string
  en: string
  tags: string[]
  error: string | null
}

let root: string
let lib: string
let bad: BadEntry[]
const GOOD = [
  { rel: '10_sks dog/a.jpg', caption: 'a tall tower by the sea' },
  { rel: '10_sks dog/b.png', caption: '广州塔在夜色中发光' },
  { rel: '中文 目录/c d.webp', caption: null }
]

beforeAll(async () => {
  tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'glossa-cli-'))
  root = path.join(tmp, 'photos')
  lib = path.join(tmp, 'lib', 'library.sqlite')
  bad = await makeBadFolder(path.join(root, 'bad'))
  for (const [i, g] of GOOD.entries()) {
    const file = path.join(root, g.rel)
    await makeImage(file, { width: 40 + i, height: 30, seed: 100 + i })
    if (g.caption) await fs.promises.writeFile(file.replace(/\.\w+$/, '.txt'), g.caption + '\n')
  }
})

afterAll(async () => {
  if (!tmp) return
  // makeBadFolder leaves a mode-000 file; make everything removable first
  await fs.promises.chmod(path.join(root, 'bad', 'locked.jpg'), 0o644).catch(() => undefined)
  await fs.promises.rm(tmp, { recursive: true, force: true })
})

describe('glossa import / ls / review / undo / redo / stats', () => {
  const badWithError = () => bad.filter((b) => b.error !== null)
  const goodCount = () => GOOD.length + bad.filter((b) => b.error === null).length

  it('imports a folder, reporting every failed file with its reason, and exits 0', async () => {
    const r = await glossa(['import', root, '--dataset', 'photos', '--library', lib, '--json'])
    expect(r.code, r.stderr).toBe(0)
    const out = cliJson<ImportJson>(r)
    expect(out.status).toBe('done')
    expect(out.dataset).toBe('photos')
    expect(out.resumed).toBe(false)
    expect(out.counts.added).toBe(goodCount())
    expect(out.counts.unchanged).toBe(0)
    expect(out.counts.failed).toBe(badWithError().length)
    const failedRel = out.failed
      .map((f) => path.relative(root, f.file).split(path.sep).join('/'))
      .sort()
    expect(failedRel).toEqual(
      badWithError()
        .map((b) => `bad/${b.relPath}`)
        .sort()
    )
    for (const b of badWithError()) {
      const f = out.failed.find((x) => x.file.endsWith(b.relPath))!
      expect(f.reason, b.why).toMatch(b.error!)
    }
    // the human summary goes to stderr
    expect(r.stderr).toMatch(/added \d+ · updated \d+ · unchanged \d+ · failed \d+/)
  })

  it('a second import adds nothing and still lists the failed files', async () => {
    const r = await glossa(['import', root, '--dataset', 'photos', '--library', lib, '--json'])
    expect(r.code, r.stderr).toBe(0)
    const out = cliJson<ImportJson>(r)
    expect(out.counts.added).toBe(0)
    expect(out.counts.unchanged).toBe(goodCount())
    expect(out.counts.failed).toBe(badWithError().length)
    expect(out.failed).toHaveLength(badWithError().length)
  })

  it('ls --json lists each image with path, concept, repeats, status, raw, zh, en, tags, error', async () => {
    const r = await glossa(['ls', '--library', lib, '--json', '--dataset', 'photos'])
    expect(r.code, r.stderr).toBe(0)
    const out = cliJson<{ total: number; count: number; images: LsImage[] }>(r)
    expect(out.count).toBe(goodCount() + badWithError().length)
    const a = out.images.find((i) => i.relPath === '10_sks dog/a.jpg')!
    expect(a).toMatchObject({
      path: path.join(fs.realpathSync(root), '10_sks dog', 'a.jpg'),
      concept: 'sks dog',
      repeats: 10,
      status: 'unreviewed',
      raw: 'a tall tower by the sea',
      en: 'a tall tower by the sea',
      zh: '',
      error: null
    })
    expect(Array.isArray(a.tags)).toBe(true)
    const b = out.images.find((i) => i.relPath === '10_sks dog/b.png')!
    expect(b.zh).toBe('广州塔在夜色中发光')
    expect(b.en).toBe('')
    const c = out.images.find((i) => i.relPath === '中文 目录/c d.webp')!
    expect(c).toMatchObject({ concept: '中文 目录', repeats: null, raw: null })
    const truncated = out.images.find((i) => i.relPath === 'bad/truncated.jpg')!
    expect(truncated.error).toMatch(/premature end of JPEG|damaged or cut short/i)

    const errs = cliJson<{ images: LsImage[] }>(
      await glossa(['ls', '--library', lib, '--json', '--errors'])
    )
    expect(errs.images.map((i) => i.relPath).sort()).toEqual(
      badWithError()
        .map((b) => `bad/${b.relPath}`)
        .sort()
    )
    const limited = cliJson<{ images: LsImage[] }>(
      await glossa(['ls', '--library', lib, '--json', '--limit', '2'])
    )
    expect(limited.images).toHaveLength(2)

    const human = await glossa(['ls', '--library', lib, '--search', '广州塔'])
    expect(human.code).toBe(0)
    expect(human.stdout).toContain('10_sks dog/b.png')
    expect(human.stdout).not.toContain('a.jpg')
  })

  it('review sets a status on the matching images as one batch; undo and redo restore it', async () => {
    const stats = async () =>
      cliJson<{ byStatus: Record<string, number> }>(
        await glossa(['stats', '--library', lib, '--dataset', 'photos', '--json'])
      )
    expect((await stats()).byStatus.approved).toBe(0)

    const r = await glossa([
      'review',
      '--library',
      lib,
      '--dataset',
      'photos',
      '--status',
      'approved',
      '--search',
      'tower',
      '--as',
      'alice',
      '--json'
    ])
    expect(r.code, r.stderr).toBe(0)
    const rev = cliJson<{ matched: number; changed: number; batchId: number | null }>(r)
    // a.jpg ("a tall tower by the sea") and bad/good2.jpg ("a tower beside bad files")
    expect(rev.changed).toBe(2)
    expect(rev.batchId).not.toBeNull()
    expect((await stats()).byStatus.approved).toBe(2)

    const undo = await glossa(['undo', '--library', lib, '--json'])
    expect(undo.code, undo.stderr).toBe(0)
    const undone = cliJson<{ undone: { items: number; actor: string | null } | null }>(undo)
    expect(undone.undone?.items).toBe(2)
    expect(undone.undone?.actor).toBe('alice')
    expect((await stats()).byStatus.approved).toBe(0)

    const redo = await glossa(['redo', '--library', lib])
    expect(redo.code, redo.stderr).toBe(0)
    expect(redo.stdout).toMatch(/^Redid /)
    expect((await stats()).byStatus.approved).toBe(2)
  })

  it('datasets lists the dataset with its counts', async () => {
    const r = await glossa(['datasets', '--library', lib, '--json'])
    expect(r.code, r.stderr).toBe(0)
    const out = cliJson<{ datasets: { name: string; images: number; errors: number }[] }>(r)
    expect(out.datasets.map((d) => d.name)).toEqual(['photos'])
    expect(out.datasets[0]!.errors).toBe(badWithError().length)
    const human = await glossa(['datasets', '--library', lib])
    expect(human.stdout).toMatch(/photos/)
  })

  it('undo on a library with no edits says there is nothing to undo', async () => {
    const empty = path.join(tmp, 'empty')
    await fs.promises.mkdir(empty, { recursive: true })
    const lib2 = path.join(tmp, 'lib2.sqlite')
    // an empty folder imports nothing (exit 1, naming the folder), but the library now exists
    const imp = await glossa(['import', empty, '--library', lib2, '--json'])
    expect(imp.code).toBe(1)
    expect(imp.stderr).toMatch(/no images/)
    expect(imp.stderr).toContain(empty)
    expect((await glossa(['datasets', '--library', lib2, '--json'])).code).toBe(0)
    const r = await glossa(['undo', '--library', lib2])
    expect(r.code).toBe(0)
    expect(r.stdout.trim()).toBe('Nothing to undo.')
  })
})

describe('glossa exit statuses', () => {
  it('exits 2 on bad usage: unknown option, unknown command, missing argument or option', async () => {
    for (const args of [
      ['ls', '--bogus'],
      ['frobnicate'],
      ['import'],
      ['review', '--dataset', 'photos'],
      ['ls', '--status', 'maybe'],
      ['ls', '--limit', 'ten']
    ]) {
      const r = await glossa(args)
      expect(r.code, `glossa ${args.join(' ')}: ${r.stderr}`).toBe(2)
      expect(r.stdout).toBe('')
      expect(r.stderr).toMatch(/error/i)
    }
  })

  it('exits 1 naming the folder when the folder to import does not exist', async () => {
    const missing = path.join(tmp, 'no such folder')
    const r = await glossa(['import', missing, '--library', path.join(tmp, 'lib3.sqlite')])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(missing)
    const j = await glossa([
      'import',
      missing,
      '--library',
      path.join(tmp, 'lib3.sqlite'),
      '--json'
    ])
    expect(j.code).toBe(1)
    expect(cliJson<{ ok: boolean; error: { code: string } }>(j)).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' }
    })
  })

  it('exits 1 naming the file for a library that does not exist or is from a newer Glossa', async () => {
    const nowhere = path.join(tmp, 'nowhere.sqlite')
    const r = await glossa(['ls', '--library', nowhere])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(nowhere)
    expect(fs.existsSync(nowhere)).toBe(false)

    const future = path.join(tmp, 'future.sqlite')
    const db = new Database(future)
    db.pragma(`application_id = ${GLOSSA_APPLICATION_ID}`) // a Glossa library…
    db.pragma('user_version = 999') // …from a newer build
    db.close()
    const before = fs.readFileSync(future)
    const f = await glossa(['stats', '--library', future])
    expect(f.code).toBe(1)
    expect(f.stderr).toContain(future)
    expect(f.stderr).toMatch(/newer Glossa/)
    expect(f.stderr).toContain('DB_TOO_NEW')
    expect(fs.readFileSync(future).equals(before)).toBe(true)
  })
})

describe('glossa serve', () => {
  it('prints its URL and token as JSON, refuses requests without the token, stops on SIGTERM', async () => {
    const renderer = path.join(tmp, 'renderer')
    await fs.promises.mkdir(renderer, { recursive: true })
    await fs.promises.writeFile(
      path.join(renderer, 'index.html'),
      '<!doctype html><title>Glossa</title>'
    )
    const child: ChildProcessWithoutNullStreams = spawn(
      process.execPath,
      [
        ...CLI_ARGS,
        'serve',
        '--port',
        '0',
        '--json',
        '--renderer',
        renderer,
        '--library',
        path.join(tmp, 'serve.sqlite')
      ],
      { cwd: REPO }
    )
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let buf = ''
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          buf += d
          const nl = buf.indexOf('\n')
          if (nl >= 0) resolve(buf.slice(0, nl))
        })
        child.on('close', () => reject(new Error(`serve exited early: ${stderr}`)))
      })
      const info = JSON.parse(line) as { url: string; port: number; token: string }
      expect(info.port).toBeGreaterThan(0)
      expect(info.token.length).toBeGreaterThanOrEqual(16)
      expect(info.url).toContain(`:${info.port}/`)
      expect(info.url).toContain(info.token)
      const api = `http://127.0.0.1:${info.port}/api/library.info`
      const denied = await fetch(api, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}'
      })
      expect(denied.status).toBe(401)
      const allowed = await fetch(api, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${info.token}` },
        body: '{}'
      })
      expect(allowed.status).toBe(200)
      expect(((await allowed.json()) as { file: string }).file).toBe(path.join(tmp, 'serve.sqlite'))
    } finally {
      child.kill('SIGTERM')
    }
    expect(await exited).toBe(0)
  })
})
