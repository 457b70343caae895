/** Shared helpers: tag-string form and the tidy-up after something was cut out of a caption. */

export const TAG_SEP = ', '

export function splitTags(text: string): string[] {
  return text
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '')
}

export function joinTags(tags: readonly string[]): string {
  return tags.join(TAG_SEP)
}

/**
 * Tidies the residue a removal leaves behind: doubled spaces, a space before punctuation, runs of
 * separators, empty brackets and separators dangling at the start or end of a line. Only called
 * by a rule that removed something, so untouched captions keep their exact bytes.
 */
export function tidy(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      let s = line
      let prev = ''
      while (prev !== s) {
        prev = s
        s = s
          .replace(/[ \t\u00a0]{2,}/g, ' ')
          .replace(
            /(\p{Script=Han}|[\u3000-\u303f\uff01-\uff60]) +(?=\p{Script=Han}|[\u3000-\u303f\uff01-\uff60])/gu,
            '$1'
          )
          .replace(/[(（[【「《][\s,，;；、:：]*[)）\]】」》]/g, '')
          .replace(/([.!?。！？])\s+[.。]/g, '$1')
          .replace(/ +([,.;:!?，。；：！？、])/g, '$1')
          .replace(/([,;，；、])\s*(?=[,;，；、。.])/g, '')
          .replace(/^[\s,;:|/\-–—·•，；：、。.]+/, '')
          .replace(/[\s,;:|/\-–—·•，；：、]+$/, '')
      }
      return s.trim()
    })
    .filter((l) => l !== '')
    .join('\n')
}

/** Replaces every match of a global regex and counts the matches. */
export function replaceCount(
  text: string,
  re: RegExp,
  replacement: string | ((m: string, ...groups: string[]) => string)
): { text: string; count: number } {
  let count = 0
  const out = text.replace(re, (...args: unknown[]) => {
    count++
    if (typeof replacement === 'string') return replacement
    const m = args[0] as string
    const groups = args.slice(1).filter((a): a is string => typeof a === 'string')
    return replacement(m, ...groups)
  })
  return { text: out, count }
}

/** Removes every match and tidies the result when anything was removed. */
export function removeAll(
  text: string,
  patterns: readonly RegExp[]
): { text: string; count: number } {
  let count = 0
  let s = text
  for (const re of patterns) {
    const r = replaceCount(s, re, ' ')
    s = r.text
    count += r.count
  }
  return count > 0 ? { text: tidy(s), count } : { text, count: 0 }
}
