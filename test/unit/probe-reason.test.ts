/**
 * A truncated JPEG decoded beside other files: libvips sometimes reports only "Warning treated as
 * error due to failOn setting", its detail lost to another thread. The reason Glossa records must
 * still say what is wrong with the file, every time.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { afterAll, expect, it } from 'vitest'
import { probeFile } from '../../src-main/core/import/probe'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glossa-probe-reason-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

it('a cut-short JPEG decoded among others always gets a reason that names the damage', async () => {
  const jpg = await sharp({
    create: { width: 400, height: 300, channels: 3, background: '#884422' }
  })
    .jpeg()
    .toBuffer()
  const cut = path.join(dir, 'cut.jpg')
  fs.writeFileSync(cut, jpg.subarray(0, Math.floor(jpg.length * 0.6)))
  const others: string[] = []
  for (let i = 0; i < 6; i++) {
    const f = path.join(dir, `ok${i}.png`)
    await sharp({ create: { width: 300, height: 300, channels: 3, background: '#123456' } })
      .png()
      .toFile(f)
    others.push(f)
  }
  const reasons = new Set<string>()
  for (let round = 0; round < 20; round++) {
    await Promise.all(
      [cut, ...others].map(async (f) => {
        try {
          await probeFile(f)
          expect(f, 'only the cut file fails').not.toBe(cut)
        } catch (e) {
          expect(f).toBe(cut)
          reasons.add((e as Error).message)
        }
      })
    )
  }
  for (const r of reasons) {
    expect(r).toMatch(/premature end of JPEG|damaged or cut short/i)
    expect(r).not.toMatch(/^cannot decode image: Warning treated as error due to failOn setting$/)
  }
})
