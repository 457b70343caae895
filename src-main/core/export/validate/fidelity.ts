/**
 * The fidelity check: each image the trainer finds, with what it trains on, against the caption
 * the plan meant it to train on. A mismatch, an intended image the trainer does not find, or an
 * image found outside the export is an error naming the image.
 */
import path from 'node:path'
import type { Issues } from './common'
import { formMatches, formText, type Form } from './trained'

export interface Intended {
  alternatives: string[]
  fixed: string
}

const clip = (s: string): string => (s.length > 160 ? `${s.slice(0, 157)}…` : s)
const quote = (s: string): string => JSON.stringify(clip(s))

export class Fidelity {
  checked = 0
  matched = 0
  private readonly seen = new Set<string>()

  constructor(
    private readonly root: string,
    private readonly intended: ReadonlyMap<string, Intended> | null,
    private readonly issues: Issues
  ) {}

  /** the export-relative '/' path of an image the trainer opens, or null when outside the export */
  rel(abs: string): string | null {
    const r = path.relative(this.root, abs)
    if (r === '' || r.startsWith('..') || path.isAbsolute(r)) return null
    return r.split(path.sep).join('/')
  }

  /**
   * One image as the trainer reads it. `forms`: everything it may train on (one per alternative);
   * `separator`: how the trainer splits tokens when it shuffles.
   */
  check(abs: string, forms: readonly Form[], separator: string): void {
    if (!this.intended) return
    const rel = this.rel(abs)
    if (rel === null) {
      this.issues.error(
        'the trainer reads this image from outside the export (absolute paths of an export that was moved or copied?)',
        abs
      )
      return
    }
    if (this.seen.has(rel)) return
    this.seen.add(rel)
    const want = this.intended.get(rel)
    if (!want) {
      this.issues.warn('the trainer reads an image the export plan did not write', abs)
      return
    }
    this.checked++
    const unmatchedForm = forms.find(
      (f) => !want.alternatives.some((a) => formMatches(f, a, want.fixed, separator))
    )
    const missingAlt = want.alternatives.find(
      (a) => !forms.some((f) => formMatches(f, a, want.fixed, separator))
    )
    if (!unmatchedForm && !missingAlt) {
      this.matched++
      return
    }
    const trains = forms.map(formText)
    const got =
      trains.length === 1 ? quote(trains[0] as string) : `one of ${trains.map(quote).join(' / ')}`
    const meant =
      want.alternatives.length === 1
        ? quote(want.alternatives[0] as string)
        : want.alternatives.map(quote).join(' / ')
    this.issues.error(`the trainer trains on ${got}, but the approved caption is ${meant}`, abs)
  }

  /** Intended images the trainer never found. */
  finish(): void {
    if (!this.intended) return
    for (const rel of this.intended.keys())
      if (!this.seen.has(rel))
        this.issues.error(
          'the trainer does not find this image (its caption never reaches the training)',
          path.join(this.root, ...rel.split('/'))
        )
  }
}
