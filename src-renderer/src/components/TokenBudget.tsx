/**
 * Token budgets of HunyuanDiT's encoders (CLIP 77, mT5 256) for a caption, through text.tokens.
 * Without a tokenizer.json the counts are estimates and say so; the user picks tokenizer.json
 * files in a small settings dialog (stored as the 'tokenizers' setting) to make them exact.
 * Over-budget text is shown with the part the encoder drops highlighted from the cut point.
 */
import { useMemo, useState } from 'react'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { Lang, TokenBudget } from '@shared/api'
import { call } from '../api/client'
import { useCall, useMutate } from '../api/query'
import { useDebounced } from '../hooks/useDebounced'
import { Modal } from './Modal'

export interface Tokenizers {
  clip?: string
  mt5?: string
}

function asTokenizers(v: unknown): Tokenizers {
  if (!v || typeof v !== 'object') return {}
  const o = v as Record<string, unknown>
  const out: Tokenizers = {}
  if (typeof o.clip === 'string' && o.clip) out.clip = o.clip
  if (typeof o.mt5 === 'string' && o.mt5) out.mt5 = o.mt5
  return out
}

/** The user's tokenizer.json choices (the 'tokenizers' setting); {} when none. */
export function useTokenizers(): Tokenizers {
  const q = useCall('settings.get', { key: 'tokenizers' }, { staleTime: Infinity })
  const value = q.data?.value
  return useMemo(() => asTokenizers(value), [value])
}

export function useTokenBudget(text: string): {
  budgets: TokenBudget[]
  error: unknown
  pending: boolean
} {
  const tokenizers = useTokenizers()
  const debounced = useDebounced(text, 250)
  const q = useCall(
    'text.tokens',
    { text: debounced, tokenizers },
    { staleTime: Infinity, placeholderData: (prev) => prev }
  )
  return { budgets: q.data?.budgets ?? [], error: q.error, pending: q.isFetching }
}

const ENCODER_NAME: Record<TokenBudget['encoder'], string> = { clip: 'CLIP', mt5: 'mT5' }

export function TokenBudgetBar({
  lang,
  budgets,
  error
}: {
  lang: Lang
  budgets: TokenBudget[]
  error: unknown
}): ReactNode {
  const { t } = useTranslation()
  const [settings, setSettings] = useState(false)
  return (
    <div className="token-budgets" data-testid={`budgets-${lang}`}>
      {budgets.map((b) => (
        <span
          key={b.encoder}
          className={`budget ${b.over ? 'budget-over' : ''}`}
          data-testid={`budget-${lang}-${b.encoder}`}
          data-over={b.over}
          data-exact={b.exact}
          title={b.label}
        >
          <span className="budget-name">{ENCODER_NAME[b.encoder]}</span>
          <span className="budget-count">
            {b.tokens}/{b.budget}
          </span>
          <i className="budget-meter" aria-hidden>
            <i style={{ width: `${Math.min(100, (100 * b.tokens) / b.budget)}%` }} />
          </i>
          {!b.exact && <span className="budget-estimate">{t('glossary.tokens.estimate')}</span>}
        </span>
      ))}
      {error != null && (
        <span className="text-danger" title={error instanceof Error ? error.message : ''}>
          {t('glossary.tokens.failed')}
        </span>
      )}
      <button
        type="button"
        className="icon-btn budget-settings"
        title={t('glossary.tokens.settings')}
        aria-label={t('glossary.tokens.settings')}
        onClick={() => setSettings(true)}
        data-testid={`tokenizer-settings-${lang}`}
      >
        ⚙
      </button>
      {settings && <TokenizerSettings onClose={() => setSettings(false)} />}
    </div>
  )
}

/** The text with what lies beyond each encoder's cut highlighted; nothing when it all fits. */
export function BudgetCutPreview({
  text,
  budgets,
  lang
}: {
  text: string
  budgets: TokenBudget[]
  lang: Lang
}): ReactNode {
  const { t } = useTranslation()
  const cuts = budgets
    .filter((b) => b.over && b.cut !== null && b.cut < text.length)
    .sort((a, b) => (a.cut ?? 0) - (b.cut ?? 0))
  if (!cuts.length) return null
  const parts: ReactNode[] = []
  let at = 0
  cuts.forEach((b, i) => {
    const cut = b.cut ?? 0
    if (cut > at) {
      parts.push(
        i === 0 ? (
          <span key={`k${i}`}>{text.slice(at, cut)}</span>
        ) : (
          <mark key={`k${i}`} className="cut-beyond">
            {text.slice(at, cut)}
          </mark>
        )
      )
      at = cut
    }
    parts.push(
      <span key={`c${i}`} className="cut-mark" title={ENCODER_NAME[b.encoder]}>
        ✂{ENCODER_NAME[b.encoder]}
      </span>
    )
  })
  parts.push(
    <mark key="rest" className={cuts.length > 1 ? 'cut-beyond cut-beyond-all' : 'cut-beyond'}>
      {text.slice(at)}
    </mark>
  )
  return (
    <div className="budget-cut" lang={lang} data-testid={`budget-cut-${lang}`}>
      <small className="muted">
        {t('glossary.tokens.cutNote', {
          encoders: cuts.map((b) => ENCODER_NAME[b.encoder]).join(', ')
        })}
      </small>
      <div className="budget-cut-text">{parts}</div>
    </div>
  )
}

/** Paths (on the machine running the core) of tokenizer.json files for exact counts. */
export function TokenizerSettings({ onClose }: { onClose(): void }): ReactNode {
  const { t } = useTranslation()
  const setSetting = useMutate('settings.set')
  const current = useTokenizers()
  const [clip, setClip] = useState(current.clip ?? '')
  const [mt5, setMt5] = useState(current.mt5 ?? '')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  async function save(): Promise<void> {
    const value: Tokenizers = {}
    if (clip.trim()) value.clip = clip.trim()
    if (mt5.trim()) value.mt5 = mt5.trim()
    setBusy(true)
    setError(null)
    try {
      // load them once before keeping them, so a wrong path is reported here
      await call('text.tokens', { text: 'test', tokenizers: value })
      await setSetting.mutateAsync({ key: 'tokenizers', value: { ...value } })
      onClose()
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Modal
      title={t('glossary.tokens.settingsTitle')}
      onClose={onClose}
      testId="tokenizer-dialog"
      footer={
        <>
          <button className="btn" onClick={onClose}>
            {t('glossary.cancel')}
          </button>
          <button className="btn btn-primary" disabled={busy} onClick={() => void save()}>
            {t('glossary.save')}
          </button>
        </>
      }
    >
      <div className="form">
        <p className="muted">{t('glossary.tokens.settingsHint')}</p>
        <label className="field">
          <span>{t('glossary.tokens.clipPath')}</span>
          <input
            className="input mono"
            value={clip}
            onChange={(e) => setClip(e.target.value)}
            placeholder="/models/clip/tokenizer.json"
          />
        </label>
        <label className="field">
          <span>{t('glossary.tokens.mt5Path')}</span>
          <input
            className="input mono"
            value={mt5}
            onChange={(e) => setMt5(e.target.value)}
            placeholder="/models/mt5/tokenizer.json"
          />
        </label>
        {error && <p className="text-danger">{error}</p>}
      </div>
    </Modal>
  )
}
