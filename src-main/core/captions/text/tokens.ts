/**
 * Token budgets for the two HunyuanDiT text encoders: CLIP (a bilingual BERT-style encoder, 77
 * tokens including the two specials) and mT5 (256 tokens including EOS).
 *
 * Without a tokenizer the counts are an ESTIMATE (`exact: false`), and the UI must say so:
 *  - each Han / kana / hangul character counts 1 token (BERT-style Chinese tokenisation is one
 *    token per character; mT5's SentencePiece often merges pairs, so this over-counts a little,
 *    which errs on the safe side of a budget);
 *  - a run of Latin letters counts ceil(length / 8) for CLIP and ceil(length / 5) for mT5 (common
 *    English words are one CLIP/WordPiece token; mT5's multilingual vocabulary splits English more);
 *  - each digit counts 1, each other non-space symbol counts 1, whitespace counts 0;
 *  - plus the specials: 2 for CLIP ([CLS]/[SEP] or BOS/EOS), 1 for mT5 (EOS).
 * With a user-chosen tokenizer.json the counts come from transformers.js' tokenizer, offline.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { GlossaError } from '../../../shared/errors'

export type Encoder = 'clip' | 'mt5'
export const BUDGETS: Record<Encoder, number> = { clip: 77, mt5: 256 }
const SPECIALS: Record<Encoder, number> = { clip: 2, mt5: 1 }
const LATIN_CHARS_PER_TOKEN: Record<Encoder, number> = { clip: 8, mt5: 5 }

export interface TokenCounter {
  /** Tokens for `text`, special tokens included. */
  count(text: string): number
  /** False for the heuristic estimate. */
  exact: boolean
  label: string
}

interface Piece {
  start: number
  end: number
  tokens: number
}

const PIECE =
  /(\p{Script=Han}|\p{Script=Hiragana}|\p{Script=Katakana}|\p{Script=Hangul})|(\p{Script=Latin}+)|(\p{Nd})|(\s+)|([\s\S])/gu

function pieces(text: string, enc: Encoder): Piece[] {
  const out: Piece[] = []
  for (const m of text.matchAll(PIECE)) {
    const start = m.index
    const end = start + m[0].length
    if (m[4]) continue
    const tokens = m[2] ? Math.ceil(m[2].length / LATIN_CHARS_PER_TOKEN[enc]) : 1
    out.push({ start, end, tokens })
  }
  return out
}

/** Heuristic token count (an estimate; see the module comment). */
export function estimateTokens(text: string, enc: Encoder): number {
  return pieces(text, enc).reduce((n, p) => n + p.tokens, SPECIALS[enc])
}

export function estimator(enc: Encoder): TokenCounter {
  return { count: (t) => estimateTokens(t, enc), exact: false, label: `${enc} (estimate)` }
}

/**
 * The UTF-16 index where an encoder with `budget` tokens (specials included) cuts `text`, or null
 * when it all fits. Everything from the returned index on is not seen by the encoder.
 */
export function cutPoint(
  text: string,
  budget: number,
  counter: Encoder | TokenCounter
): number | null {
  if (typeof counter === 'string') {
    let used = SPECIALS[counter]
    for (const p of pieces(text, counter)) {
      if (used + p.tokens > budget) return p.start
      used += p.tokens
    }
    return null
  }
  if (counter.count(text) <= budget) return null
  // Largest prefix (on code point boundaries) that fits: binary search, tokenisation being
  // monotone in the prefix length for all practical purposes.
  const bounds: number[] = [0]
  for (const ch of text) bounds.push((bounds[bounds.length - 1] as number) + ch.length)
  let lo = 0
  let hi = bounds.length - 1
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2)
    if (counter.count(text.slice(0, bounds[mid])) <= budget) lo = mid
    else hi = mid - 1
  }
  return bounds[lo] as number
}

export interface BudgetReport {
  encoder: Encoder
  tokens: number
  budget: number
  over: boolean
  /** Where the encoder truncates, or null. */
  cut: number | null
  exact: boolean
}

export function budgetReport(text: string, enc: Encoder, counter?: TokenCounter): BudgetReport {
  const c = counter ?? estimator(enc)
  const tokens = c.count(text)
  const budget = BUDGETS[enc]
  const cut = tokens > budget ? cutPoint(text, budget, counter ?? enc) : null
  return { encoder: enc, tokens, budget, over: tokens > budget, cut, exact: c.exact }
}

// ---------------------------------------------------------------------------------------------
// Real tokenizers (transformers.js), offline.

interface HfTokenizer {
  encode(text: string, opts?: { add_special_tokens?: boolean }): number[]
}

const loaded = new Map<string, Promise<TokenCounter>>()

/**
 * Loads a tokenizer from a user-chosen tokenizer.json (and the tokenizer_config.json beside it,
 * if any) through transformers.js, with remote models disabled. Cached per absolute path.
 */
export function loadTokenizer(tokenizerJsonPath: string): Promise<TokenCounter> {
  const abs = path.resolve(tokenizerJsonPath)
  let p = loaded.get(abs)
  if (!p) {
    p = openTokenizer(abs)
    loaded.set(abs, p)
    p.catch(() => loaded.delete(abs))
  }
  return p
}

async function openTokenizer(abs: string): Promise<TokenCounter> {
  const json = await readJson(abs, true)
  const config =
    (await readJson(path.join(path.dirname(abs), 'tokenizer_config.json'), false)) ?? {}
  const tf = await import('@huggingface/transformers')
  tf.env.allowRemoteModels = false
  let tok: HfTokenizer
  try {
    tok = new tf.PreTrainedTokenizer(json, config) as unknown as HfTokenizer
  } catch (e) {
    throw new GlossaError(
      'INVALID_ARGS',
      `${abs}: not a usable tokenizer.json (${(e as Error).message})`
    )
  }
  return {
    count: (t) => tok.encode(t, { add_special_tokens: true }).length,
    exact: true,
    label: path.basename(path.dirname(abs))
  }
}

async function readJson(file: string, required: boolean): Promise<Record<string, unknown> | null> {
  let raw: string
  try {
    raw = await readFile(file, 'utf8')
  } catch (e) {
    if (!required) return null
    throw new GlossaError('NOT_FOUND', `${file}: cannot read tokenizer (${(e as Error).message})`)
  }
  try {
    return JSON.parse(raw) as Record<string, unknown>
  } catch (e) {
    throw new GlossaError('INVALID_ARGS', `${file}: not valid JSON (${(e as Error).message})`)
  }
}

/** Real token count (special tokens included) with the tokenizer at `tokenizerJsonPath`. */
export async function countTokens(tokenizerJsonPath: string, text: string): Promise<number> {
  return (await loadTokenizer(tokenizerJsonPath)).count(text)
}
