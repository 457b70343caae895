import chardet from 'chardet'
import iconv from 'iconv-lite'

/**
 * Decoding of sidecar caption files. Order: BOM (UTF-8, UTF-16 LE/BE), strict UTF-8, then a
 * legacy encoding. Short Chinese texts are too short for statistical detection (chardet scores
 * GBK, Big5, Shift_JIS and EUC-KR alike), so GB18030 — a superset of GBK and the legacy encoding
 * of the zh-CN captions this app is built for — is preferred whenever it decodes cleanly into
 * mostly Han text, unless chardet is confident of something else.
 */
export interface DecodedText {
  text: string
  /** 'utf-8', 'utf-8-bom', 'utf-16le', 'utf-16be', 'gb18030', or chardet's name lower-cased */
  encoding: string
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** CRLF and lone CR become LF; trailing newlines are dropped; everything else is verbatim. */
export function normaliseNewlines(s: string): string {
  return s.replace(/\r\n?/g, '\n').replace(/\n+$/, '')
}

function clean(s: string): boolean {
  // U+FFFD means undecodable bytes; C0 controls other than tab/newline mean a wrong guess.
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k)
    if (c === 0xfffd || (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d)) return false
  }
  return true
}

function hanShare(s: string): number {
  let nonAscii = 0
  let han = 0
  for (const ch of s) {
    if (ch.charCodeAt(0) < 0x80) continue
    nonAscii++
    if (/[\p{Script=Han}\u3000-\u303F\uFF00-\uFFEF]/u.test(ch)) han++
  }
  return nonAscii ? han / nonAscii : 0
}

export function decodeText(buf: Uint8Array): DecodedText {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength)
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) {
    return { text: normaliseNewlines(b.subarray(3).toString('utf8')), encoding: 'utf-8-bom' }
  }
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) {
    return {
      text: normaliseNewlines(iconv.decode(b.subarray(2), 'utf-16le')),
      encoding: 'utf-16le'
    }
  }
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) {
    return {
      text: normaliseNewlines(iconv.decode(b.subarray(2), 'utf-16be')),
      encoding: 'utf-16be'
    }
  }
  try {
    const s = utf8.decode(b)
    // Valid UTF-8 that is full of NULs is UTF-16 without a BOM; let detection decide.
    if (!s.includes('\u0000')) return { text: normaliseNewlines(s), encoding: 'utf-8' }
  } catch {
    // not UTF-8: fall through to legacy encodings
  }
  const guesses = chardet.analyse(b)
  const top = guesses[0]
  if (top && top.confidence >= 50 && iconv.encodingExists(top.name) && top.name !== 'GB18030') {
    const s = iconv.decode(b, top.name)
    if (clean(s) && !/^UTF-8$/i.test(top.name)) {
      return { text: normaliseNewlines(s), encoding: top.name.toLowerCase() }
    }
  }
  const gb = iconv.decode(b, 'gb18030')
  if (clean(gb) && hanShare(gb) >= 0.5) return { text: normaliseNewlines(gb), encoding: 'gb18030' }
  for (const g of guesses) {
    if (!iconv.encodingExists(g.name) || /^UTF-8$/i.test(g.name)) continue
    const s = iconv.decode(b, g.name)
    if (clean(s)) return { text: normaliseNewlines(s), encoding: g.name.toLowerCase() }
  }
  // Nothing fits: Windows-1252 decodes every byte, so the text is at least visible.
  return { text: normaliseNewlines(iconv.decode(b, 'windows-1252')), encoding: 'windows-1252' }
}
