/**
 * The SQL function behind the caption_metrics triggers (migration 0007): `glossa_text_size(text,
 * unit)` is the caption's length in UTF-16 code units ('chars', JavaScript's `text.length`, what
 * the editor shows) or its estimated CLIP / mT5 token count (text/tokens.ts). Registered on every
 * connection by db/open.ts, so every writer of captions keeps the metrics current at write time.
 */
import type { Database } from 'better-sqlite3'
import type { WritableDB } from '../db/types'
import { estimateTokens } from '../captions/text/tokens'
import { prepared } from '../db/statements'

export type TextUnit = 'chars' | 'clip' | 'mt5'

export function textSize(text: string, unit: TextUnit): number {
  return unit === 'chars' ? text.length : estimateTokens(text, unit)
}

export function registerTextMetrics(db: Database): void {
  db.function('glossa_text_size', { deterministic: true }, (text: unknown, unit: unknown) => {
    if (typeof text !== 'string') return null
    if (unit !== 'chars' && unit !== 'clip' && unit !== 'mt5') return null
    return textSize(text, unit)
  })
}

/**
 * Writes the caption_metrics rows of the captions of images with id ≥ `fromImageId`, exactly as
 * the caption triggers would have: for bulk loaders that set the triggers aside while inserting.
 */
export function fillCaptionMetrics(db: WritableDB, fromImageId: number): void {
  prepared(
    db,
    `INSERT OR REPLACE INTO caption_metrics (image_id, lang, dataset_id, chars, clip, mt5)
     SELECT c.image_id, c.lang, i.dataset_id, glossa_text_size(c.text, 'chars'),
            glossa_text_size(c.text, 'clip'), glossa_text_size(c.text, 'mt5')
       FROM captions c JOIN images i ON i.id = c.image_id
      WHERE c.image_id >= ? AND c.text <> ''`
  ).run(fromImageId)
}
