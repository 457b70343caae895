/**
 * `glossa glossary import|export|apply`, run for real as child processes (tsx on the source)
 * against a temp library holding the 50 glossary fixture captions: import of the fixture CSV,
 * a dry run that prints the diffs and writes nothing, an apply that changes exactly the expected
 * captions (and a second one that changes nothing), `glossa undo` restoring them byte for byte,
 * bad CSV files reported row by row with exit status 1, and usage errors with exit status 2.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { GlossaryProposal } from '../../src-main/shared/api'
import { closeDatabase, openDatabase } from '../../src-main/core/db/open'
import { insertImage } from '../db/helpers'
import { captionRows, cliJson, readLibrary, REPO, runGlossa, type CliRun } from '../fixtures/cli'

const FIX = path.join(REPO, 'test/fixtures/glossary')

interface FixtureCaption {
  id: string
  relPath: string
  tags: string[]
  zh: string | null
  en: string | null
  expect: { zh: string | null; en: string | null }
}
const captions = JSON.parse(
  fs.readFileSync(path.join(FIX, 'captions.json'), 'utf8')
) as FixtureCaption[]
const changed = captions.filter((c) => c.expect.zh || c.expect.en)

let tmp: string
let lib: string

const glossa = (args: string[]): Promise<CliRun> => runGlossa(args, { tmp, library: lib })

/** Every caption row, text as bytes, straight from the file. */
const dump = (): unknown[] => readLibrary(lib, captionRows)

function texts(): Map<string, { zh: string | null; en: string | null }> {
  const rows = readLibrary(
    lib,
    (db) =>
      db
        .prepare(
          `SELECT i.rel_path AS rel, c.lang, c.text FROM images i JOIN captions c ON c.image_id = i.id`
        )
        .all() as { rel: string; lang: 'zh' | 'en'; text: string }[]
  )
  const out = new Map<string, { zh: string | null; en: string | null }>()
  for (const r of rows) {
    const t = out.get(r.rel) ?? { zh: null, en: null }
    t[r.lang] = r.text
    out.set(r.rel, t)
  }
  return out
}

const batches = (): number =>
  readLibrary(
    lib,
    (db) => (db.prepare('SELECT count(*) AS n FROM journal_batches').get() as { n: number }).n
  )

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'glossa-cli-glossary-'))
  lib = path.join(tmp, 'library.sqlite')
  const db = openDatabase(lib)
  const ds = Number(
    db.prepare("INSERT INTO datasets (name, created_at) VALUES ('landmarks', 1)").run()
      .lastInsertRowid
  )
  db.transaction(() => {
    for (const c of captions) {
      const folder = path.posix.dirname(c.relPath)
      insertImage(db, ds, {
        fileName: path.posix.basename(c.relPath),
        folder: folder === '.' ? '' : folder,
        tags: c.tags,
        zh: c.zh,
        en: c.en
      })
    }
  })()
  closeDatabase(db)
})

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true })
})

describe('glossa glossary', () => {
  it('imports the fixture CSV into a dataset', async () => {
    const r = await glossa([
      'glossary',
      'import',
      path.join(FIX, 'landmarks.csv'),
      '--dataset',
      'landmarks',
      '--json'
    ])
    expect(r.code, r.stderr).toBe(0)
    expect(cliJson(r)).toMatchObject({ ok: true, added: 5, updated: 0, rowErrors: [] })
    // importing the same file again changes no entry
    const again = await glossa([
      'glossary',
      'import',
      path.join(FIX, 'landmarks.csv'),
      '--dataset',
      'landmarks'
    ])
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).toContain('0 added, 0 updated, 5 unchanged')
  })

  it('a dry run prints the diffs and changes nothing', async () => {
    const before = dump()
    const batchesBefore = batches()
    const r = await glossa(['glossary', 'apply', '--dataset', 'landmarks', '--dry-run'])
    expect(r.code, r.stderr).toBe(0)
    // plain text (not a terminal): word diffs marked [-old-]{+new+}, no colour codes
    expect(r.stdout).not.toContain('\x1b[')
    expect(r.stdout).toContain('远处的[-廣-]{+广+}州塔在夜色中闪耀。')
    expect(r.stdout).toContain('[-canton-]{+Canton+}')
    const files = r.stdout.split('\n').filter((l) => l && !l.startsWith(' '))
    expect(files.sort()).toEqual(changed.map((c) => c.relPath).sort())
    expect(r.stderr).toContain(`${changed.length} images in "landmarks" would change`)
    expect(r.stderr).toContain('nothing was written')

    const j = await glossa(['glossary', 'apply', '--dataset', 'landmarks', '--dry-run', '--json'])
    expect(j.code, j.stderr).toBe(0)
    const preview = cliJson<{ dryRun: boolean; total: number; proposals: GlossaryProposal[] }>(j)
    expect(preview.dryRun).toBe(true)
    expect(preview.total).toBe(changed.length)
    for (const p of preview.proposals) {
      const c = changed.find((x) => x.relPath === p.relPath)!
      expect(p.zh?.after ?? null, p.relPath).toBe(c.expect.zh)
      expect(p.en?.after ?? null, p.relPath).toBe(c.expect.en)
      expect(p.reasons.length).toBeGreaterThan(0)
    }

    expect(dump()).toEqual(before)
    expect(batches()).toBe(batchesBefore)
  })

  it('applies as one batch, a second apply changes nothing, undo restores byte for byte', async () => {
    const before = dump()
    const batchesBefore = batches()
    const r = await glossa(['glossary', 'apply', '--dataset', 'landmarks', '--json'])
    expect(r.code, r.stderr).toBe(0)
    const out = cliJson<{ changed: number; batchId: number | null }>(r)
    expect(out.changed).toBe(changed.length)
    expect(out.batchId).not.toBeNull()
    expect(batches()).toBe(batchesBefore + 1)

    const now = texts()
    for (const c of captions) {
      const t = now.get(c.relPath)!
      expect(t.zh, `${c.id} zh`).toBe(c.expect.zh ?? c.zh)
      expect(t.en, `${c.id} en`).toBe(c.expect.en ?? c.en)
    }

    const second = await glossa(['glossary', 'apply', '--dataset', 'landmarks'])
    expect(second.code, second.stderr).toBe(0)
    expect(second.stdout).toContain('changes nothing')
    expect(batches()).toBe(batchesBefore + 1)

    const undo = await glossa(['undo'])
    expect(undo.code, undo.stderr).toBe(0)
    expect(undo.stdout).toContain('Apply glossary')
    expect(dump()).toEqual(before)
  })

  it('exports the dataset glossary and refuses to overwrite without --force', async () => {
    const file = path.join(tmp, 'out.csv')
    const r = await glossa(['glossary', 'export', file, '--dataset', 'landmarks'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('Exported 5 entries')
    const csv = fs.readFileSync(file, 'utf8')
    expect(csv).toContain('广州塔')
    const again = await glossa(['glossary', 'export', file, '--dataset', 'landmarks'])
    expect(again.code).toBe(1)
    expect(again.stderr).toContain(file)
    const forced = await glossa(['glossary', 'export', file, '--dataset', 'landmarks', '--force'])
    expect(forced.code, forced.stderr).toBe(0)
  })

  it('reports bad CSV rows by row and column, keeps the good rows, exits 1', async () => {
    const file = path.join(tmp, 'bad.csv')
    fs.writeFileSync(
      file,
      [
        'name_zh,name_en,kind,aliases_en',
        '西湖,West Lake,landmark,the lake',
        ',,landmark,nothing',
        '断桥,Broken Bridge,planet,',
        '雷峰塔,=cmd|calc,term,'
      ].join('\n')
    )
    const r = await glossa(['glossary', 'import', file, '--json'])
    expect(r.code).toBe(1)
    const out = cliJson<{
      ok: boolean
      added: number
      rowErrors: { row: number; column?: string }[]
    }>(r)
    expect(out.ok).toBe(false)
    expect(out.added).toBe(1)
    expect(out.rowErrors.map((e) => [e.row, e.column])).toEqual([
      [3, 'name'],
      [4, 'kind'],
      [5, 'name_en']
    ])
    expect(r.stderr).toContain(`${file}: row 4, column kind`)
    expect(r.stderr).toContain(`${file}: row 5, column name_en`)

    const unknown = path.join(tmp, 'unknown.csv')
    fs.writeFileSync(unknown, 'name_zh,colour\n西湖,blue\n')
    const u = await glossa(['glossary', 'import', unknown])
    expect(u.code).toBe(1)
    expect(u.stderr).toContain('unknown column "colour"')
  })

  it('bad usage exits 2; an unknown dataset exits 1 naming it', async () => {
    const noDataset = await glossa(['glossary', 'apply'])
    expect(noDataset.code).toBe(2)
    expect(noDataset.stderr).toContain('--dataset')
    const badFormat = await glossa([
      'glossary',
      'export',
      path.join(tmp, 'x.txt'),
      '--format',
      'xml'
    ])
    expect(badFormat.code).toBe(2)
    const unknown = await glossa(['glossary', 'apply', '--dataset', 'nope', '--dry-run'])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain('no dataset named "nope"')
  })
})
