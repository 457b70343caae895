/**
 * Facts about chat-VLM folders shared by inspection (models.ts, main side), loading (generative.ts,
 * in the worker) and the download catalogue (catalogue.ts). No imports: both sides load it.
 */

/** Chat VLMs whose transformers.js processor reads processor_config.json (fatal when missing). */
export const NEEDS_PROCESSOR_CONFIG: ReadonlySet<string> = new Set([
  'smolvlm',
  'idefics3',
  'llava',
  'gemma3'
])

/** The image placeholder's token id a chat VLM's config.json names, or null. */
export function imageTokenIdOf(config: Record<string, unknown>): number | null {
  if (typeof config.image_token_id === 'number') return config.image_token_id
  if (typeof config.image_token_index === 'number') return config.image_token_index
  return null
}
