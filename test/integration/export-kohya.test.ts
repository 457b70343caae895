/**
 * kohya export read back by a reader written HERE from formats.md §1 (not the exporter's code):
 * folder names split at the first "_", images globbed by extension (case-sensitive, no dot files),
 * captions paired by splitext + ".txt", first line only unless enable_wildcard.
 */
import fs from 'node:fs'
import path from 'node:path'
import sharp from 'sharp'
import { parse as parseToml } from 'smol-toml'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runExport, type ExportImage } from '../../src-main/core/export'
import { makeDataset, tempDir, writeImage } from '../fixtures/export/dataset'

const EXTS = ['.png', '.jpg', '.jpeg', '.webp', '.bmp']

interface ReadImage {
  folder: string
  repeats: number
  classTokens: string
  file: string
  caption: string | null
  lines: string[]
}

/** sd-scripts' reading of train_data_dir / reg_data_dir, per formats.md §1. */
function readKohyaDir(parent: string, enableWildcard: boolean): ReadImage[] {
  const out: ReadImage[] = []
  for (const e of fs.readdirSync(parent, { withFileTypes: true })) {
    if (!e.isDirectory()) continue
    const tokens = e.name.split('_')
    if (!/^\s*[+-]?\d+\s*$/.test(tokens[0] ?? '')) continue
    const repeats = Number(tokens[0])
    if (repeats < 1) continue
    const classTokens = tokens.slice(1).join('_')
    const dir = path.join(parent, e.name)
    const files = fs
      .readdirSync(dir)
      .filter(
        (f) =>
          !f.startsWith('.') &&
          [...EXTS, ...EXTS.map((x) => x.toUpperCase())].some((x) => f.endsWith(x))
      )
      .sort()
    for (const f of files) {
      const cap = path.join(dir, f.slice(0, f.lastIndexOf('.')) + '.txt')
      let caption: string | null = null
      let lines: string[] = []
      if (fs.existsSync(cap)) {
        const buf = fs.readFileSync(cap)
        expect(buf.length, `${cap} is empty`).toBeGreaterThan(0)
        const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buf)
        lines = text
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean)
        caption = enableWildcard ? lines.join('\n') : (text.split('\n')[0] ?? '').trim()
      }
      out.push({
        folder: e.name,
        repeats,
        classTokens,
        file: f,
        caption: caption ?? classTokens,
        lines
      })
    }
  }
  return out
}

// Keys sd-scripts' ConfigSanitizer accepts in DreamBooth style (formats.md §2 table).
const ACCEPTED = new Set([
  'resolution',
  'batch_size',
  'enable_bucket',
  'min_bucket_reso',
  'max_bucket_reso',
  'bucket_reso_steps',
  'bucket_no_upscale',
  'network_multiplier',
  'validation_split',
  'validation_seed',
  'num_repeats',
  'shuffle_caption',
  'flip_aug',
  'color_aug',
  'random_crop',
  'keep_tokens',
  'caption_separator',
  'keep_tokens_separator',
  'secondary_separator',
  'enable_wildcard',
  'caption_prefix',
  'caption_suffix',
  'caption_dropout_rate',
  'caption_tag_dropout_rate',
  'caption_dropout_every_n_epochs',
  'face_crop_aug_range',
  'token_warmup_min',
  'token_warmup_step',
  'resize_interpolation',
  'custom_attributes',
  'caption_extension',
  'class_tokens',
  'cache_info',
  'image_dir',
  'is_reg',
  'alpha_mask',
  'subsets'
])

function allKeys(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x) => allKeys(x, out))
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      out.push(k)
      allKeys(x, out)
    }
  }
  return out
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed TOML, shape asserted below
type TomlDoc = Record<string, any>

let tmp: string
beforeEach(() => {
  tmp = tempDir()
})
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true })
})

describe('kohya DreamBooth export', () => {
  it('pairs every image with its caption, with the right repeats and class tokens, in folders and TOML', async () => {
    const images = await makeDataset(tmp)
    const dest = path.join(tmp, 'out')
    const res = await runExport({
      images,
      profile: {
        format: 'kohya',
        caption: { language: 'both', lines: 'alternatives', triggerWords: ['mychar'] },
        kohya: { classTokens: { mychar: 'girl' } }
      },
      destination: dest
    })
    expect(res.validation.ok, JSON.stringify(res.validation.issues)).toBe(true)
    expect(res.exported).toBe(5)

    const toml = parseToml(
      fs.readFileSync(path.join(dest, 'dataset_config.toml'), 'utf8')
    ) as TomlDoc
    for (const k of allKeys({ ...toml.general, datasets: toml.datasets })) {
      if (k !== 'datasets') expect(ACCEPTED.has(k), `key ${k}`).toBe(true)
    }
    expect(toml.general.caption_extension).toBe('.txt')
    expect(toml.general.enable_wildcard).toBe(true) // both languages as alternatives → two lines
    const subsets = toml.datasets[0].subsets as Array<TomlDoc>

    const train = readKohyaDir(path.join(dest, 'img'), true)
    const reg = readKohyaDir(path.join(dest, 'reg'), true)
    expect(train).toHaveLength(4)
    expect(reg).toHaveLength(1)
    const byFolder = new Map<string, ReadImage[]>()
    for (const r of [...train, ...reg])
      byFolder.set(r.folder, [...(byFolder.get(r.folder) ?? []), r])
    expect([...byFolder.keys()].sort()).toEqual(['10_mychar girl', '1_girl', '3_inkstyle'])
    expect(byFolder.get('10_mychar girl')?.[0]).toMatchObject({
      repeats: 10,
      classTokens: 'mychar girl'
    })
    expect(byFolder.get('3_inkstyle')?.[0]).toMatchObject({ repeats: 3, classTokens: 'inkstyle' })
    // TOML subsets say the same as the folder names
    for (const s of subsets) {
      const name = path.basename(s.image_dir)
      const read = byFolder.get(name)
      expect(read, name).toBeDefined()
      expect(s.num_repeats).toBe(read?.[0]?.repeats)
      expect(s.class_tokens).toBe(read?.[0]?.classTokens)
      // relative to the export folder the trainer runs from (README.txt says so)
      expect(s.image_dir).toBe(`${s.is_reg ? 'reg' : 'img'}/${name}`)
    }
    expect(subsets.find((s) => s.is_reg)?.image_dir).toBe('reg/1_girl')
    expect(fs.readFileSync(path.join(dest, 'README.txt'), 'utf8')).toContain(
      'cd into the export folder'
    )

    // Captions: every source caption line is intact (diacritics, CJK, multi-line), triggers first.
    const manifest = JSON.parse(fs.readFileSync(path.join(dest, 'manifest.json'), 'utf8'))
    for (const img of images) {
      const entry = manifest.images.find((m: { id: number }) => m.id === img.id)
      const file = path.basename(entry.image)
      const read = [...train, ...reg].find((r) => r.file === file && entry.image.includes(r.folder))
      expect(read, img.path).toBeDefined()
      const srcLines = [img.zh, img.en].flatMap((t) => (t ?? '').split('\n')).filter(Boolean)
      expect(read?.lines).toHaveLength(srcLines.length)
      srcLines.forEach((l, i) => {
        const line = read?.lines[i] ?? ''
        expect(line).toContain(l)
        if (img.isReg) expect(line.startsWith('mychar')).toBe(false)
        else expect(line.startsWith('mychar, ')).toBe(true)
        if (img.tags?.length) expect(line.endsWith(img.tags.join(', '))).toBe(true)
      })
    }
  })

  it('writes UTF-8 without BOM, never an empty caption, lowercase extensions, and a manifest of every file', async () => {
    const images = await makeDataset(tmp)
    images.push({
      id: 9,
      path: images[3]!.path.replace('x.webp', 'empty.webp'),
      concept: 'inkstyle',
      repeats: 3,
      status: 'approved',
      zh: '',
      en: '',
      tags: []
    })
    await writeImage(images[5]!.path)
    const dest = path.join(tmp, 'out')
    const res = await runExport({
      images,
      profile: { format: 'kohya', caption: { language: 'en' } },
      destination: dest
    })
    const walk = (d: string): string[] =>
      fs
        .readdirSync(d, { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]))
    const files = walk(dest)
    for (const f of files) {
      const ext = path.extname(f)
      expect(ext).toBe(ext.toLowerCase())
      if (ext === '.txt' || ext === '.toml' || ext === '.json') {
        const buf = fs.readFileSync(f)
        expect(buf.length, f).toBeGreaterThan(0)
        expect(buf.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])), f).toBe(false)
      }
    }
    expect(fs.readFileSync(path.join(dest, 'img', '3_inkstyle', 'empty.txt'), 'utf8')).toBe(
      'inkstyle\n'
    )
    expect(res.warnings.some((w) => w.includes('empty.webp') && w.includes('class tokens'))).toBe(
      true
    )
    expect(fs.existsSync(path.join(dest, 'img', '10_mychar', 'Photo 3.jpg'))).toBe(true)
    const manifest = JSON.parse(fs.readFileSync(path.join(dest, 'manifest.json'), 'utf8'))
    expect(manifest.profile.format).toBe('kohya')
    const listed = new Set(manifest.files.map((f: { path: string }) => f.path))
    for (const f of files) {
      const rel = path.relative(dest, f).split(path.sep).join('/')
      if (rel !== 'manifest.json') expect(listed.has(rel), rel).toBe(true)
    }
    const crypto = await import('node:crypto')
    for (const f of manifest.files as Array<{ path: string; sha256: string }>) {
      const sha = crypto
        .createHash('sha256')
        .update(fs.readFileSync(path.join(dest, f.path)))
        .digest('hex')
      expect(sha, f.path).toBe(f.sha256)
    }
  })

  it('gives a.png and a.jpg in one concept distinct stems and records the rename', async () => {
    const images = (await makeDataset(tmp)).filter((i) => i.id === 1 || i.id === 2)
    const dest = path.join(tmp, 'out')
    const res = await runExport({
      images,
      profile: { format: 'kohya', caption: { language: 'zh' } },
      destination: dest
    })
    const dir = path.join(dest, 'img', '10_mychar')
    expect(fs.readdirSync(dir).sort()).toEqual(['a.jpg', 'a.txt', 'a_2.png', 'a_2.txt'])
    expect(fs.readFileSync(path.join(dir, 'a.txt'), 'utf8')).toBe('少女的侧脸, 1girl\n')
    expect(fs.readFileSync(path.join(dir, 'a_2.txt'), 'utf8')).toBe(
      '一位穿汉服的少女，站在西湖边, 1girl, hanfu\n'
    )
    expect(res.renamed).toEqual([
      {
        imageId: 1,
        source: images[0]!.path,
        exported: 'img/10_mychar/a_2.png',
        reason: 'another image in the folder has the same name'
      }
    ])
    expect(fs.readFileSync(path.join(dir, 'a.jpg')).equals(fs.readFileSync(images[1]!.path))).toBe(
      true
    )
  })

  it('bakes EXIF orientation 6 into the pixels when asked, and copies bytes untouched otherwise', async () => {
    const src = path.join(tmp, 'src', 'rot.jpg')
    await writeImage(src, { width: 12, height: 8, orientation: 6 })
    const img: ExportImage = { id: 1, path: src, concept: 'c', status: 'approved', en: 'rotated' }
    const baked = path.join(tmp, 'baked')
    const r = await runExport({
      images: [img],
      profile: { format: 'kohya', image: { bakeOrientation: true } },
      destination: baked
    })
    const meta = await sharp(path.join(baked, 'img', '1_c', 'rot.jpg')).metadata()
    expect([meta.width, meta.height]).toEqual([8, 12])
    expect(meta.orientation ?? 1).toBe(1)
    expect(r.warnings.join()).toMatch(/orientation 6 baked/)
    const copied = path.join(tmp, 'copied')
    await runExport({ images: [img], profile: { format: 'kohya' }, destination: copied })
    expect(
      fs.readFileSync(path.join(copied, 'img', '1_c', 'rot.jpg')).equals(fs.readFileSync(src))
    ).toBe(true)
  })

  it('hard-links in link mode and resizes in re-encode mode', async () => {
    const src = path.join(tmp, 'src', 'big.png')
    await writeImage(src, { width: 64, height: 32 })
    const img: ExportImage = { id: 1, path: src, concept: 'c', status: 'approved', en: 'big' }
    const linked = path.join(tmp, 'linked')
    await runExport({
      images: [img],
      profile: { format: 'kohya', image: { mode: 'link' } },
      destination: linked
    })
    expect(fs.statSync(path.join(linked, 'img', '1_c', 'big.png')).ino).toBe(fs.statSync(src).ino)
    const small = path.join(tmp, 'small')
    await runExport({
      images: [img],
      profile: { format: 'kohya', image: { mode: 'reencode', maxSide: 16, format: 'jpeg' } },
      destination: small
    })
    const meta = await sharp(path.join(small, 'img', '1_c', 'big.jpg')).metadata()
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 16, 8])
  })

  it('uses ||| and keep_tokens_separator with shuffling when asked, escaping wildcard braces', async () => {
    const src = path.join(tmp, 'src', 'k.png')
    await writeImage(src)
    const img: ExportImage = {
      id: 1,
      path: src,
      concept: 'c',
      status: 'approved',
      zh: '猫{咪}',
      en: 'a cat',
      tags: ['cat']
    }
    const dest = path.join(tmp, 'out')
    const res = await runExport({
      images: [img],
      profile: {
        format: 'kohya',
        caption: {
          language: 'both',
          lines: 'alternatives',
          triggerWords: ['sks'],
          keepTokens: 'separator'
        }
      },
      destination: dest
    })
    expect(res.validation.ok, JSON.stringify(res.validation.issues)).toBe(true)
    const toml = parseToml(
      fs.readFileSync(path.join(dest, 'dataset_config.toml'), 'utf8')
    ) as TomlDoc
    expect(toml.general).toMatchObject({
      keep_tokens_separator: '|||',
      shuffle_caption: true,
      enable_wildcard: true
    })
    expect(fs.readFileSync(path.join(dest, 'img', '1_c', 'k.txt'), 'utf8')).toBe(
      'sks ||| 猫{{咪}}, cat\nsks ||| a cat, cat\n'
    )
  })

  it('exports approved images only unless asked for all', async () => {
    const images = await makeDataset(tmp)
    images[0]!.status = 'unreviewed'
    const res = await runExport({
      images,
      profile: { format: 'kohya' },
      destination: path.join(tmp, 'out')
    })
    expect(res.exported).toBe(4)
    await expect(
      runExport({
        images: images.map((i) => ({ ...i, status: 'rejected' as const })),
        profile: { format: 'kohya' },
        destination: path.join(tmp, 'o2')
      })
    ).rejects.toThrow(/none of the 5 image\(s\) is approved/)
  })
})
