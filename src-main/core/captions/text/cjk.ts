/** Han, kana and hangul: scripts written without spaces, searched character by character. */
export const CJK_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u

export function isCjkChar(ch: string): boolean {
  return CJK_CHAR.test(ch)
}

/** True when every character of `s` (ignoring spaces) is CJK. */
export function isAllCjk(s: string): boolean {
  const t = s.replace(/\s+/g, '')
  if (!t) return false
  for (const ch of t) if (!CJK_CHAR.test(ch)) return false
  return true
}

/**
 * Spaces out CJK characters so FTS5's unicode61 tokenizer indexes each one as a token; every run
 * of other characters becomes the break token `0`, so characters separated by punctuation or
 * Latin text are not adjacent. A 1–2 character query then becomes a phrase query ("广 州").
 */
export function cjkGrams(text: string): string {
  const out: string[] = []
  let gap = false
  for (const ch of text) {
    if (CJK_CHAR.test(ch)) {
      if (gap && out.length) out.push('0')
      gap = false
      out.push(ch)
    } else {
      gap = true
    }
  }
  return out.join(' ')
}

/** The share of Han characters among letters: the language guess for imported text. */
export function guessLang(text: string): 'zh' | 'en' {
  let han = 0
  let letters = 0
  for (const ch of text) {
    if (/\p{Script=Han}/u.test(ch)) {
      han++
      letters++
    } else if (/\p{L}/u.test(ch)) letters++
  }
  if (letters === 0) return 'en'
  // Chinese text carries far fewer characters per word than English, so a modest Han share
  // already means the text is Chinese.
  return han / letters >= 0.3 ? 'zh' : 'en'
}
