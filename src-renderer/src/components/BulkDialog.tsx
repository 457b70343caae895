/**
 * Bulk edit over a selection: pick an operation, see `bulk.preview` (how many images change and
 * sample diffs), then Apply. Small selections land at once; big ones run as a 'bulk' job shown in
 * the job panel with rate and ETA while the studio stays usable. Either way it is ONE journal
 * batch, so Ctrl+Z takes it all back.
 */
import { useMemo, useState } from 'react'
import type { ReactNode } from 'react'
import { keepPreviousData } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { diffChars, diffWordsWithSpace } from 'diff'
import type { BulkDiff, BulkOpKind, DiffOp, Selection } from '@shared/api'
import { useCall, useMutate } from '../api/query'
import { useDebounced } from '../hooks/useDebounced'
import { draftToOp, EMPTY_DRAFT, OP_KINDS } from './BulkDraft'
import type { Draft, OpInput } from './BulkDraft'
import { BulkOpForm } from './BulkOpForm'
import { DiffView } from './GlossaryApplyDialog'
import { useJobs } from './jobs'
import { Modal } from './Modal'
import { useToast } from './Toasts'

const SAMPLES = 50
/** BULK_SYNC_LIMIT of the contract: bigger selections are applied as a 'bulk' job */
const SYNC_LIMIT = 1000
/** Longer texts are shown as before → after without a character diff. */
const DIFF_MAX = 4000

/** A before/after diff as ops for DiffView (zh by character, otherwise by word). */
export function textDiff(before: string | null, after: string | null, zh: boolean): DiffOp[] {
  const a = before ?? ''
  const b = after ?? ''
  if (a.length + b.length > DIFF_MAX)
    return [
      ...(a ? [{ op: '-' as const, text: a }] : []),
      ...(b ? [{ op: '+' as const, text: b }] : [])
    ]
  const parts = zh ? diffChars(a, b) : diffWordsWithSpace(a, b)
  return parts.map((p) => ({ op: p.added ? '+' : p.removed ? '-' : '=', text: p.value }))
}

function SampleRow({ s }: { s: BulkDiff }): ReactNode {
  const { t } = useTranslation()
  return (
    <li className="bulk-sample" data-testid="bulk-sample">
      <div className="bulk-sample-head">
        <span className="mono">{s.fileName}</span>
        <span className="badge">{t(`review.field.${s.field}`)}</span>
      </div>
      {s.after === null && s.field === 'image' ? (
        <del className="diff-del">{s.before}</del>
      ) : (
        <DiffView
          diff={textDiff(s.before, s.after, s.field === 'zh')}
          lang={s.field === 'zh' ? 'zh' : 'en'}
        />
      )}
    </li>
  )
}

interface Props {
  datasetId: number
  selection: Selection
  count: number | null
  onClose(): void
  onApplied(kind: BulkOpKind): void
}

export function BulkDialog({ datasetId, selection, count, onClose, onApplied }: Props): ReactNode {
  const { t, i18n } = useTranslation()
  const nf = new Intl.NumberFormat(i18n.language)
  const toast = useToast()
  const jobs = useJobs()
  const applyBulk = useMutate('bulk.apply')
  const [draft, setDraft] = useState<Draft>(EMPTY_DRAFT)
  const [applying, setApplying] = useState(false)
  const built = useMemo(() => draftToOp(draft), [draft])
  const opJson = 'op' in built ? JSON.stringify(built.op) : null
  const debounced = useDebounced(opJson, 300)
  const settledOp = debounced != null ? (JSON.parse(debounced) as OpInput) : null

  const preview = useCall(
    'bulk.preview',
    // while no op is complete the query is off; the stand-in op only fills the key
    { selection, op: settledOp ?? { kind: 'delete' }, limit: SAMPLES },
    {
      enabled: settledOp != null,
      placeholderData: keepPreviousData,
      gcTime: 0,
      retry: false
    }
  )
  // Apply only what the preview on screen describes
  const current = debounced === opJson && !preview.isPlaceholderData && preview.data != null

  async function apply(): Promise<void> {
    if (!('op' in built) || !current) return
    setApplying(true)
    try {
      const r = await applyBulk.mutateAsync({ selection, op: built.op })
      if (r.jobId != null) {
        void jobs.track(r.jobId)
        toast.info(t('review.bulk.startedJob', { n: nf.format(r.count) }))
      } else {
        toast.info(t('review.bulk.applied', { n: nf.format(r.changed ?? 0) }))
      }
      onApplied(built.op.kind)
      onClose()
    } catch (e) {
      toast.error(e)
    } finally {
      setApplying(false)
    }
  }

  const p = preview.data
  const set = (patch: Partial<Draft>): void => setDraft((d) => ({ ...d, ...patch }))
  return (
    <Modal
      title={t('review.bulk.title')}
      onClose={onClose}
      testId="bulk-dialog"
      wide
      footer={
        <>
          <span className="muted grow">
            {count == null ? '' : t('review.bulk.scope', { n: nf.format(count) })}
          </span>
          <button className="btn" onClick={onClose}>
            {t('review.cancel')}
          </button>
          <button
            className={`btn ${draft.kind === 'delete' ? 'btn-danger' : 'btn-primary'}`}
            disabled={!current || applying || (p?.changed ?? 0) === 0}
            onClick={() => void apply()}
            data-testid="bulk-apply"
          >
            {draft.kind === 'delete'
              ? t('review.bulk.deleteApply', { n: nf.format(p?.changed ?? 0) })
              : t('review.bulk.apply', { n: nf.format(p?.changed ?? 0) })}
          </button>
        </>
      }
    >
      <div className="bulk-dialog">
        <label className="field">
          <span className="field-head">{t('review.bulk.op')}</span>
          <select
            className="select"
            value={draft.kind}
            onChange={(e) => set({ kind: e.target.value as BulkOpKind })}
            data-testid="bulk-kind"
          >
            {OP_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`review.op.${k}`)}
              </option>
            ))}
          </select>
        </label>
        <BulkOpForm datasetId={datasetId} d={draft} set={set} />
        <section className="bulk-preview" data-testid="bulk-preview" aria-live="polite">
          {'missing' in built ? (
            <p className="muted" data-testid="bulk-missing">
              {t(built.missing)}
            </p>
          ) : preview.isError ? (
            <p className="text-danger" data-testid="bulk-error">
              {preview.error.message}
            </p>
          ) : !p ? (
            <p className="muted">{t('review.bulk.previewing')}</p>
          ) : (
            <>
              <p
                className={`bulk-summary ${current ? '' : 'stale'}`}
                data-testid="bulk-summary"
                data-count={p.count}
                data-changed={p.changed}
                data-current={current}
              >
                {t('review.bulk.summary', {
                  changed: nf.format(p.changed),
                  count: nf.format(p.count)
                })}
                {p.conflicts > 0 && (
                  <span className="text-danger">
                    {' '}
                    · {t('review.bulk.conflicts', { n: nf.format(p.conflicts) })}
                  </span>
                )}
              </p>
              {p.count > SYNC_LIMIT && <p className="muted">{t('review.bulk.asJob')}</p>}
              <ul className="bulk-samples">
                {p.samples.map((s, i) => (
                  <SampleRow key={`${s.imageId}:${s.field}:${i}`} s={s} />
                ))}
              </ul>
              {p.truncated && (
                <p className="muted">{t('review.bulk.truncated', { n: p.samples.length })}</p>
              )}
            </>
          )}
        </section>
      </div>
    </Modal>
  )
}
