/** Shared helpers: the tag-string form, and counted replacement. (Removal and its tidy-up: spans.ts.) */

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
