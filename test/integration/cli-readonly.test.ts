/**
 * Read commands on a library they cannot write (issue 11): every read command — datasets, ls,
 * stats, models ls, glossary export, and the dry runs of glossary apply, cleanup and export —
 * succeeds with its full answer and exit 0 on a read-only library and on one another process
 * holds a write lock on, and the library file is left byte for byte as it was (nothing written,
 * not even on close). Root cannot be refused a write by file modes, so as root the CLI runs as
 * `nobody`; otherwise the file is made read-only. Also: a --json usage error prints its one JSON
 * object, and a write command on a read-only library exits 1 with READ_ONLY naming the file.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCore } from '../../src-main/core'
import { cliJson, runGlossa, type CliOptions, type CliRun } from '../fixtures/cli'
import { makeImage } from '../fixtures/generate'

const ROOT = process.getuid?.() === 0
const NOBODY = 65534

let tmp: string
let lib: string
let out: string
const sha = (file: string) =>
  crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')

beforeAll(async () => {
  tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'glossa-ro-'))
  await fs.promises.chmod(tmp, 0o755)
  const photos = path.join(tmp, 'photos')
  for (let i = 0; i < 3; i++) {
    await makeImage(path.join(photos, `p${i}.png`), { width: 40 + i, height: 30, seed: i })
    await fs.promises.writeFile(path.join(photos, `p${i}.txt`), `a tall tower by the sea ${i}\n`)
  }
  const libDir = path.join(tmp, 'lib')
  lib = path.join(libDir, 'library.sqlite')
  const core = createCore({ dataDir: libDir, libraryFile: lib })
  const started = await core.call('import.start', { dir: photos, datasetName: 'photos' })
  expect((await core.waitForJob(started.jobId)).status).toBe('done')
  await core.call('glossary.save', {
    datasetId: started.datasetId,
    entry: { name: { zh: '广州塔', en: 'Canton Tower' }, aliases: { zh: [], en: ['a tall tower'] } }
  })
  await core.close()
  out = path.join(tmp, 'out')
  await fs.promises.mkdir(out, { mode: 0o777 })
  await fs.promises.chmod(out, 0o777)
  if (ROOT) {
    // the folder is nobody's (SQLite may put its -shm there), the file stays root's 0644
    await fs.promises.chown(libDir, NOBODY, NOBODY)
    await fs.promises.chmod(lib, 0o644)
  } else await fs.promises.chmod(lib, 0o444)
})

afterAll(async () => {
  if (!tmp) return
  await fs.promises.chmod(lib, 0o644).catch(() => undefined)
  await fs.promises.rm(tmp, { recursive: true, force: true })
})

const asReader = (): CliOptions => ({ tmp, library: lib, ...(ROOT ? { uid: NOBODY } : {}) })
const glossa = (args: string[], opts = asReader()): Promise<CliRun> => runGlossa(args, opts)

const READS: [string, string[]][] = [
  ['datasets', ['datasets', '--json']],
  ['ls', ['ls', '--json']],
  ['stats', ['stats', '--json']],
  ['models ls', ['models', 'ls', '--json']],
  ['glossary export', ['glossary', 'export', '__OUT__/g.csv', '--dataset', 'photos', '--json']],
  ['glossary apply --dry-run', ['glossary', 'apply', '--dataset', 'photos', '--dry-run', '--json']],
  [
    'cleanup --dry-run',
    ['cleanup', '--dataset', 'photos', '--preset', 'normalise', '--dry-run', '--json']
  ],
  [
    'export --dry-run',
    [
      'export',
      '--dataset',
      'photos',
      '--format',
      'kohya',
      '--status',
      'any',
      '--out',
      '__OUT__/x',
      '--dry-run',
      '--json'
    ]
  ]
]

describe('read commands on a read-only library', () => {
  for (const [name, args] of READS) {
    it(`${name}: a full answer, exit 0, the file unchanged`, async () => {
      const before = sha(lib)
      const r = await glossa(args.map((a) => a.replace('__OUT__', out)))
      expect(r.code, r.stderr).toBe(0)
      cliJson(r) // exactly one JSON object
      expect(sha(lib)).toBe(before)
    })
  }

  it('a write command is refused with READ_ONLY naming the file, which stays unchanged', async () => {
    const before = sha(lib)
    const r = await glossa(['review', '--dataset', 'photos', '--status', 'approved', '--json'])
    expect(r.code).toBe(1)
    const e = cliJson<{ error: { code: string; message: string } }>(r).error
    expect(e.code).toBe('READ_ONLY')
    expect(e.message).toContain(lib)
    expect(sha(lib)).toBe(before)
  })
})

describe('read commands while another process holds the write lock', () => {
  it('ls and datasets answer and exit 0 (nothing waits on the lock at close)', async () => {
    const copy = path.join(tmp, 'locked', 'library.sqlite')
    await fs.promises.mkdir(path.dirname(copy), { recursive: true })
    await fs.promises.copyFile(lib, copy)
    await fs.promises.chmod(copy, 0o644)
    const holder = new Database(copy)
    holder.pragma('journal_mode = WAL')
    holder.exec(`BEGIN IMMEDIATE; UPDATE datasets SET name = name;`)
    try {
      for (const args of [
        ['ls', '--json'],
        ['datasets', '--json']
      ]) {
        const r = await runGlossa(args, { tmp, library: copy })
        expect(r.code, r.stderr).toBe(0)
        cliJson(r)
      }
    } finally {
      holder.exec('ROLLBACK')
      holder.close()
    }
  })
})

describe('--json usage errors', () => {
  it('print one JSON object with INVALID_ARGS and exit 2', async () => {
    const r = await runGlossa(['ls', '--limit', 'many', '--json'], { tmp, library: lib })
    expect(r.code).toBe(2)
    const e = cliJson<{ ok: boolean; error: { code: string; message: string } }>(r)
    expect(e.ok).toBe(false)
    expect(e.error.code).toBe('INVALID_ARGS')
    expect(e.error.message).toMatch(/--limit/)
  })
})
