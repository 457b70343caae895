/**
 * Python text semantics the trainers read captions with, reimplemented for the read-back:
 * str.strip() (str.isspace characters), text-mode files with universal newlines.
 */

// str.isspace(): bidirectional class WS, B or S, or category Zs
const PY_SPACE = new Set(
  [
    '\t',
    '\n',
    '\u000b',
    '\u000c',
    '\r',
    '\u001c',
    '\u001d',
    '\u001e',
    '\u001f',
    ' ',
    '\u0085',
    '\u00a0',
    '\u1680',
    '\u2028',
    '\u2029',
    '\u202f',
    '\u205f',
    '\u3000'
  ].concat(Array.from({ length: 11 }, (_, i) => String.fromCharCode(0x2000 + i)))
)

/** Python's str.strip() with no argument. */
export function pyStrip(s: string): string {
  let a = 0
  let b = s.length
  while (a < b && PY_SPACE.has(s[a] as string)) a++
  while (b > a && PY_SPACE.has(s[b - 1] as string)) b--
  return s.slice(a, b)
}

/**
 * What open(path, "rt", encoding="utf-8").readlines() returns: universal newlines ("\r\n" and
 * "\r" become "\n"), each line keeping its "\n"; no lines for an empty file.
 */
export function pyReadLines(text: string): string[] {
  const t = text.replace(/\r\n?/g, '\n')
  if (t === '') return []
  const out = t.split('\n').map((l) => l + '\n')
  const last = out.length - 1
  if (t.endsWith('\n')) out.pop()
  else out[last] = (out[last] as string).slice(0, -1)
  return out
}
