/**
 * Apply the glossary to the current filter, the selected image or the whole dataset: a preview
 * (glossary.preview) lists each image that would change with a word diff per language (zh by
 * character) and the reasons; unticked images are left out (excludeImageIds); Apply lands as one
 * undoable batch (Ctrl+Z undoes it).
 */
import { useMemo, useState } from 'react'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { DiffOp, GlossaryProposal, GlossaryTarget, ImageFilter } from '@shared/api'
import { useCall, useMutate } from '../api/query'
import { Modal } from './Modal'
import { useToast } from './Toasts'

export type Scope = 'filter' | 'selection' | 'dataset'

const PREVIEW_LIMIT = 500

export function targetFor(
  scope: Scope,
  datasetId: number,
  filter: ImageFilter,
  selectedId: number | null
): GlossaryTarget {
  if (scope === 'selection' && selectedId != null) return { datasetId, imageIds: [selectedId] }
  if (scope === 'filter') return { datasetId, filter: { ...filter, datasetId } }
  return { datasetId }
}

/** The three scopes as radio buttons (selection disabled without one). */
export function ScopePicker({
  scope,
  onChange,
  hasSelection,
  name
}: {
  scope: Scope
  onChange(s: Scope): void
  hasSelection: boolean
  name: string
}): ReactNode {
  const { t } = useTranslation()
  return (
    <div className="scope-picker" role="radiogroup" aria-label={t('glossary.apply.scope')}>
      {(['filter', 'selection', 'dataset'] as const).map((s) => (
        <label key={s} className="check">
          <input
            type="radio"
            name={name}
            checked={scope === s}
            disabled={s === 'selection' && !hasSelection}
            onChange={() => onChange(s)}
            data-testid={`scope-${s}`}
          />
          {t(`glossary.apply.scope_${s}`)}
        </label>
      ))}
    </div>
  )
}

/** A diff as text with removed parts struck through and added parts highlighted. */
export function DiffView({ diff, lang }: { diff: DiffOp[]; lang: string }): ReactNode {
  return (
    <span className="diff" lang={lang}>
      {diff.map((d, i) =>
        d.op === '=' ? (
          <span key={i}>{d.text}</span>
        ) : d.op === '-' ? (
          <del key={i} className="diff-del">
            {d.text}
          </del>
        ) : (
          <ins key={i} className="diff-ins">
            {d.text}
          </ins>
        )
      )}
    </span>
  )
}

function ProposalRow({
  p,
  ticked,
  onToggle
}: {
  p: GlossaryProposal
  ticked: boolean
  onToggle(): void
}): ReactNode {
  const { t } = useTranslation()
  return (
    <li
      className={`proposal ${ticked ? '' : 'proposal-off'}`}
      data-testid="proposal"
      data-image-id={p.imageId}
      data-file={p.fileName}
    >
      <label className="proposal-head">
        <input
          type="checkbox"
          checked={ticked}
          onChange={onToggle}
          data-testid="proposal-tick"
          aria-label={p.fileName}
        />
        <span className="mono" title={p.relPath}>
          {p.relPath}
        </span>
      </label>
      {(['zh', 'en'] as const).map((lang) => {
        const c = p[lang]
        return c ? (
          <div key={lang} className="proposal-diff" data-testid={`proposal-diff-${lang}`}>
            <span className="lang-chip">{lang}</span>
            <DiffView diff={c.diff} lang={lang} />
          </div>
        ) : null
      })}
      <ul className="proposal-reasons">
        {p.reasons.map((r, i) => (
          <li key={i} data-testid="proposal-reason">
            <strong>{r.entry}</strong> · {t(`glossary.actions.${r.action}`)} ({r.lang}): {r.detail}
            {r.triggers.length > 0 && (
              <span className="muted">
                {' '}
                ←{' '}
                {r.triggers
                  .map((tr) => `${t(`glossary.triggerKinds.${tr.kind}`)} “${tr.value}”`)
                  .join(', ')}
              </span>
            )}
          </li>
        ))}
      </ul>
    </li>
  )
}

interface Props {
  datasetId: number
  filter: ImageFilter
  selectedId: number | null
  onClose(): void
}

export function GlossaryApplyDialog({ datasetId, filter, selectedId, onClose }: Props): ReactNode {
  const { t } = useTranslation()
  const toast = useToast()
  const applyGlossary = useMutate('glossary.apply')
  const [scope, setScope] = useState<Scope>('filter')
  const [unticked, setUnticked] = useState<Set<number>>(new Set())
  const [busy, setBusy] = useState(false)
  const target = useMemo(
    () => targetFor(scope, datasetId, filter, selectedId),
    [scope, datasetId, filter, selectedId]
  )
  const q = useCall(
    'glossary.preview',
    { target, limit: PREVIEW_LIMIT },
    { staleTime: 0, gcTime: 0 }
  )
  const proposals = q.data?.proposals ?? []
  const total = q.data?.total ?? 0
  const applying = total - proposals.filter((p) => unticked.has(p.imageId)).length

  const toggle = (id: number): void =>
    setUnticked((s) => {
      const n = new Set(s)
      if (n.has(id)) n.delete(id)
      else n.add(id)
      return n
    })

  async function apply(): Promise<void> {
    setBusy(true)
    try {
      const r = await applyGlossary.mutateAsync({ target, excludeImageIds: [...unticked] })
      toast.info(
        r.changed ? t('glossary.apply.done', { count: r.changed }) : t('glossary.apply.nothing')
      )
      onClose()
    } catch (e) {
      toast.error(e)
    } finally {
      setBusy(false)
    }
  }

  return (
    <Modal
      title={t('glossary.apply.title')}
      onClose={onClose}
      testId="glossary-apply-dialog"
      wide
      footer={
        <>
          <span className="grow muted" data-testid="apply-summary">
            {q.data ? t('glossary.apply.summary', { count: applying, total: q.data.scanned }) : ''}
          </span>
          <button className="btn" onClick={onClose}>
            {t('glossary.cancel')}
          </button>
          <button
            className="btn btn-primary"
            disabled={busy || !q.data || applying <= 0}
            onClick={() => void apply()}
            data-testid="apply-confirm"
          >
            {t('glossary.apply.confirm', { count: applying })}
          </button>
        </>
      }
    >
      <div className="form">
        <ScopePicker
          scope={scope}
          onChange={(s) => {
            setScope(s)
            setUnticked(new Set())
          }}
          hasSelection={selectedId != null}
          name="apply-scope"
        />
        {q.isFetching && !q.data && <p className="muted">{t('glossary.apply.previewing')}</p>}
        {q.error && <p className="text-danger">{q.error.message}</p>}
        {q.data && (
          <>
            <div className="row-gap">
              <span data-testid="preview-total" data-count={total}>
                {t('glossary.apply.changes', {
                  count: total,
                  scanned: q.data.scanned,
                  entries: q.data.entries
                })}
              </span>
              {proposals.length > 0 && (
                <>
                  <button className="btn btn-small" onClick={() => setUnticked(new Set())}>
                    {t('glossary.apply.tickAll')}
                  </button>
                  <button
                    className="btn btn-small"
                    onClick={() => setUnticked(new Set(proposals.map((p) => p.imageId)))}
                  >
                    {t('glossary.apply.tickNone')}
                  </button>
                </>
              )}
            </div>
            {q.data.truncated && (
              <p className="muted">
                {t('glossary.apply.truncated', { shown: proposals.length, total })}
              </p>
            )}
            <ul className="proposals" data-testid="proposals">
              {proposals.map((p) => (
                <ProposalRow
                  key={p.imageId}
                  p={p}
                  ticked={!unticked.has(p.imageId)}
                  onToggle={() => toggle(p.imageId)}
                />
              ))}
            </ul>
          </>
        )}
      </div>
    </Modal>
  )
}
