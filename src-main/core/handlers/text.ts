/**
 * Pure text helpers for the editor (the renderer never imports core): structured render/parse
 * and token budgets for HunyuanDiT's encoders (CLIP 77, mT5 256), exact with a tokenizer.json,
 * otherwise an estimate that says so.
 */
import type { HandlerMap } from '../context'
import { parse, render } from '../text/structured'
import { budgetReport, loadTokenizer, type Encoder } from '../text/tokens'

const ENCODERS: Encoder[] = ['clip', 'mt5']

export const textHandlers = {
  'text.render': (_ctx, a) => ({ text: render(a.fields, a.lang) }),
  'text.parse': (_ctx, a) => {
    const fields = parse(a.text, a.lang)
    const text = render(fields, a.lang)
    return { fields, text, canonical: text === a.text }
  },
  'text.tokens': async (_ctx, a) => {
    const budgets = []
    for (const enc of ENCODERS) {
      const path = a.tokenizers?.[enc]
      const counter = path ? await loadTokenizer(path) : undefined
      const r = budgetReport(a.text, enc, counter)
      budgets.push({ ...r, label: counter?.label ?? `${enc} (estimate)` })
    }
    return { chars: [...a.text].length, budgets }
  }
} satisfies Partial<HandlerMap>
