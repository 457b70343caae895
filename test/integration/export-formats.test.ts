/** Round trips through every format, read back with readers written here, and validator negatives. */
import fs from 'node:fs'
import path from 'node:path'
import { parse as parseCsv } from 'csv-parse/sync'
import { parse as parseToml } from 'smol-toml'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runExport, validateExport, type ExportImage } from '../../src-main/core/export'
import { makeDataset, tempDir } from '../fixtures/export/dataset'

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed TOML, shape asserted below
type TomlDoc = Record<string, any>

let tmp: string
let images: ExportImage[]
beforeEach(async () => {
  tmp = tempDir()
  images = await makeDataset(tmp)
})
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true })
})

const sourceBytes = (img: ExportImage): Buffer => fs.readFileSync(img.path)
const manifestOf = (dest: string) =>
  JSON.parse(fs.readFileSync(path.join(dest, 'manifest.json'), 'utf8')) as {
    images: Array<{ id: number; image: string }>
  }

/** the exported text for each image id, per format, as its trainer would read it */
async function readBack(
  format: string,
  dest: string
): Promise<Map<number, { text: string; file: string }>> {
  const m = manifestOf(dest)
  const idOf = (abs: string): number => {
    const rel = path.relative(dest, abs).split(path.sep).join('/')
    const hit = m.images.find((i) => i.image === rel)
    if (!hit) throw new Error(`no manifest entry for ${rel}`)
    return hit.id
  }
  const out = new Map<number, { text: string; file: string }>()
  if (format === 'sdscripts') {
    const toml = parseToml(
      fs.readFileSync(path.join(dest, 'dataset_config.toml'), 'utf8')
    ) as TomlDoc
    for (const s of toml.datasets[0].subsets) {
      // relative paths: against the export folder, which the trainer runs from
      const meta = JSON.parse(
        fs.readFileSync(path.resolve(dest, s.metadata_file), 'utf8')
      ) as Record<string, { caption: string; tags?: string }>
      for (const [key, v] of Object.entries(meta)) {
        const file = path.resolve(dest, s.image_dir, key)
        out.set(idOf(file), { text: v.caption + (v.tags ? ',' + v.tags : ''), file })
      }
    }
  } else if (format === 'hf') {
    for (const line of fs
      .readFileSync(path.join(dest, 'train', 'metadata.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)) {
      const row = JSON.parse(line) as { file_name: string; text: string }
      const abs = path.join(dest, 'train', row.file_name)
      out.set(idOf(abs), { text: row.text, file: abs })
    }
  } else if (format === 'hunyuan') {
    const rows = parseCsv(fs.readFileSync(path.join(dest, 'csvfile', 'image_text.csv')), {
      columns: true
    }) as Array<Record<string, string>>
    for (const r of rows) {
      expect(r.image_path).toBe(r.img_path)
      const file = path.resolve(dest, r.img_path!)
      out.set(idOf(file), { text: r.text_zh!, file })
    }
  } else if (format === 'onetrainer') {
    const concepts = JSON.parse(
      fs.readFileSync(path.join(dest, 'training_concepts', 'concepts.json'), 'utf8')
    ) as Array<{ path: string }>
    for (const c of concepts) {
      const dir = path.resolve(dest, c.path)
      for (const f of fs.readdirSync(dir).filter((n) => !n.endsWith('.txt'))) {
        const abs = path.join(dir, f)
        const cap = path.join(dir, path.parse(f).name + '.txt')
        out.set(idOf(abs), { text: fs.readFileSync(cap, 'utf8'), file: abs })
      }
    }
  }
  return out
}

describe.each(['sdscripts', 'hf', 'hunyuan', 'onetrainer'] as const)('%s export', (format) => {
  it('round-trips the same images and captions, with diacritics, CJK and multi-line text intact', async () => {
    const dest = path.join(tmp, 'out')
    const res = await runExport({
      images,
      profile: { format, caption: { language: 'both' } },
      destination: dest
    })
    expect(res.validation.ok, JSON.stringify(res.validation.issues)).toBe(true)
    const back = await readBack(format, dest)
    const expected = images.filter((i) => !(i.isReg && format !== 'onetrainer'))
    expect([...back.keys()].sort()).toEqual(expected.map((i) => i.id).sort())
    for (const img of expected) {
      const got = back.get(img.id)!
      expect(fs.readFileSync(got.file).equals(sourceBytes(img)), img.path).toBe(true)
      for (const line of [img.zh, img.en].flatMap((t) => (t ?? '').split('\n')).filter(Boolean))
        expect(got.text).toContain(line)
      for (const t of img.tags ?? []) expect(got.text).toContain(t)
    }
    if (format === 'sdscripts') {
      const toml = parseToml(
        fs.readFileSync(path.join(dest, 'dataset_config.toml'), 'utf8')
      ) as TomlDoc
      expect(
        toml.datasets[0].subsets.map((s: { num_repeats: number }) => s.num_repeats).sort()
      ).toEqual([10, 3])
      const meta = JSON.parse(
        fs.readFileSync(path.join(dest, toml.datasets[0].subsets[0].metadata_file), 'utf8')
      ) as Record<string, { image_size: number[] }>
      for (const [k, v] of Object.entries(meta)) {
        // relative to the export root, with the extension, under image_dir "."
        expect(!path.isAbsolute(k) && /^images\/.*\.(png|jpg|webp)$/.test(k), k).toBe(true)
        expect(v.image_size).toEqual([12, 8])
      }
    }
    if (format === 'hunyuan')
      expect(fs.readFileSync(path.join(dest, 'csvfile', 'image_text.csv'))[0]).not.toBe(0xef)
  })
})

describe('validation reads the export as the trainer would and reports problems', () => {
  async function kohya(): Promise<string> {
    const dest = path.join(tmp, 'out')
    const res = await runExport({ images, profile: { format: 'kohya' }, destination: dest })
    expect(res.validation.ok).toBe(true)
    return dest
  }
  const messages = async (dest: string): Promise<string[]> =>
    (await validateExport(dest, 'kohya')).issues.map(
      (i) => `${i.level}: ${i.message} ${i.path ?? ''}`
    )

  it('flags an empty caption, a BOM, a non-UTF-8 file and an upper-case-mixed extension', async () => {
    const dest = await kohya()
    const dir = path.join(dest, 'img', '10_mychar')
    fs.writeFileSync(path.join(dir, 'a.txt'), '')
    fs.writeFileSync(path.join(dir, 'a_2.txt'), '\ufeffcaption\n')
    fs.writeFileSync(path.join(dir, 'Photo 3.txt'), Buffer.from([0xc4, 0xe3, 0xba, 0xc3]))
    fs.renameSync(
      path.join(dest, 'img', '3_inkstyle', 'x.webp'),
      path.join(dest, 'img', '3_inkstyle', 'x.Webp')
    )
    const m = await messages(dest)
    expect(m.some((s) => /error: caption file is empty/.test(s))).toBe(true)
    expect(m.some((s) => /error: caption file starts with a BOM/.test(s))).toBe(true)
    expect(m.some((s) => /error: caption file is not valid UTF-8/.test(s))).toBe(true)
    expect(m.some((s) => /warning: an image file sd-scripts will not read.*x\.Webp/.test(s))).toBe(
      true
    )
    expect(m.some((s) => /error: .*no images sd-scripts would find/.test(s))).toBe(true)
  })

  it('flags unknown TOML keys, a repeats mismatch with the folder name and a missing caption_extension', async () => {
    const dest = await kohya()
    const file = path.join(dest, 'dataset_config.toml')
    const text = fs
      .readFileSync(file, 'utf8')
      .replace('caption_extension = ".txt"', 'caption_ext = ".txt"')
      .replace('num_repeats = 10', 'num_repeats = 2')
    fs.writeFileSync(file, text)
    const m = await messages(dest)
    expect(m).toContainEqual(expect.stringMatching(/key "caption_ext" is not accepted/))
    expect(m).toContainEqual(expect.stringMatching(/num_repeats 2 ≠ 10 from the folder name/))
    expect(m).toContainEqual(expect.stringMatching(/caption_extension is "\.caption"/))
    expect(m).toContainEqual(expect.stringMatching(/size differs from the manifest/))
  })
})
