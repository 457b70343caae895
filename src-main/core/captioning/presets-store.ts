/**
 * Prompt presets: the built-ins of captioner/presets.ts (read-only) plus user presets stored in
 * the library (table `presets`). A user preset cannot take a built-in's id.
 */
import type { ReadableDB, WritableDB } from '../db/types'
import type { PresetInfo } from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import { BUILTIN_PRESETS, validatePreset, type PromptPreset } from './presets'
import { deletePresetRow, presetRow, presetRows, upsertPreset } from './queries'

function info(p: PromptPreset, builtin: boolean): PresetInfo {
  return {
    id: p.id,
    name: p.name,
    lang: p.lang,
    template: p.template,
    output: p.output,
    content: p.content,
    builtin
  }
}

export function listPresets(db: ReadableDB): PresetInfo[] {
  const user = presetRows(db)
  return [...BUILTIN_PRESETS.map((p) => info(p, true)), ...user.map((p) => info(p, false))]
}

export function findPreset(db: ReadableDB, id: string): PromptPreset | null {
  const b = BUILTIN_PRESETS.find((p) => p.id === id)
  if (b) return b
  const r = presetRow(db, id)
  return r ? { ...r } : null
}

export function getPreset(db: ReadableDB, id: string): PromptPreset {
  const p = findPreset(db, id)
  if (!p) throw new GlossaError('NOT_FOUND', `preset "${id}" does not exist (see presets.list)`)
  return p
}

export function savePreset(db: WritableDB, input: unknown): PresetInfo {
  let p: PromptPreset
  try {
    p = validatePreset(input)
  } catch (err) {
    const msg =
      err instanceof Error && 'issues' in err
        ? (err as { issues: { path: PropertyKey[]; message: string }[] }).issues
            .map((i) => `${i.path.map(String).join('.')}: ${i.message}`)
            .join('; ')
        : (err as Error).message
    throw new GlossaError('INVALID_ARGS', `presets.save: ${msg}`)
  }
  upsertPreset(db, p, Date.now())
  return info(p, false)
}

export function deletePreset(db: WritableDB, id: string): boolean {
  if (BUILTIN_PRESETS.some((b) => b.id === id))
    throw new GlossaError('CONFLICT', `"${id}" is a built-in preset and cannot be deleted`)
  return deletePresetRow(db, id)
}
