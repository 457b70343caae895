/**
 * The cleanup panel, over the current filter, the selected image or the whole dataset: presets
 * and per-rule toggles with live per-rule counts ("URLs removed: 312"), the dataset's own
 * find/replace rules with live tests, and the list of changed images with a before/after diff per
 * language and for the tags. Apply lands as ONE undoable batch (Ctrl+Z undoes it); the raw
 * imported text is never changed.
 */
import { useMemo, useState } from 'react'
import type { ReactNode } from 'react'
import { keepPreviousData, useQueryClient } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import type {
  Args,
  CleanupPresetId,
  CleanupHeldItem,
  CleanupPresetInfo,
  CleanupPreviewItem,
  CleanupRuleTotal,
  CleanupStep,
  ImageFilter,
  UserRuleData
} from '@shared/api'
import { callKey, useCall, useMutate } from '../api/query'
import { useDebounced } from '../hooks/useDebounced'
import { DiffView, ScopePicker, targetFor } from './GlossaryApplyDialog'
import type { Scope } from './GlossaryApplyDialog'
import { CleanupUserRules } from './CleanupUserRules'
import { Modal } from './Modal'
import { useToast } from './Toasts'
import '../styles/glossary.css'
import '../styles/datatools.css'

const PREVIEW_LIMIT = 200

type Pipeline = Pick<Args<'cleanup.preview'>, 'presets' | 'steps' | 'userRules'>

/** The rules of the chosen presets, in order, each once. */
function rulesOf(presets: CleanupPresetInfo[], chosen: CleanupPresetId[]): string[] {
  const out: string[] = []
  for (const p of presets)
    if (chosen.includes(p.id)) for (const s of p.steps) if (!out.includes(s.rule)) out.push(s.rule)
  return out
}

/**
 * Presets as they are when no toggle differs from the presets' defaults (the batch is then
 * labelled with the preset names); explicit steps otherwise.
 */
export function buildPipeline(
  presets: CleanupPresetInfo[],
  chosen: CleanupPresetId[],
  toggles: Record<string, boolean>,
  blacklist: string[],
  userRules: UserRuleData[]
): Pipeline {
  const defaults = new Map<string, boolean>()
  for (const p of presets)
    if (chosen.includes(p.id)) for (const s of p.steps) defaults.set(s.rule, s.enabled)
  const rules = rulesOf(presets, chosen)
  const on = (r: string): boolean => toggles[r] ?? defaults.get(r) ?? false
  const custom = rules.some((r) => on(r) !== defaults.get(r)) || blacklist.length > 0
  // a rule without a label is counted under "find → replace" (not its generated id)
  const users = userRules
    .filter((r) => r.find.length > 0)
    .map((r) => (r.label ? r : { ...r, label: `${r.find} → ${r.replace}`.slice(0, 200) }))
  const base: Pipeline = { userRules: users }
  if (!custom) return chosen.length ? { ...base, presets: chosen } : base
  const steps: CleanupStep[] = rules.map((rule) => ({
    rule,
    enabled: on(rule),
    ...(rule === 'tags-blacklist' && blacklist.length ? { options: { tags: blacklist } } : {})
  }))
  return steps.some((s) => s.enabled) ? { ...base, steps } : base
}

function ItemView({ it }: { it: CleanupPreviewItem }): ReactNode {
  return (
    <li className="dt-item" data-testid="cleanup-item" data-file={it.fileName}>
      <span className="mono" title={it.relPath}>
        {it.relPath}
      </span>
      {(['zh', 'en', 'tags'] as const).map((f) => {
        const d = it.diff[f]
        return d ? (
          <div key={f} className="dt-item-line" data-testid={`cleanup-diff-${f}`}>
            <span className="lang-chip">{f}</span>
            <DiffView diff={d} lang={f === 'tags' ? 'en' : f} />
          </div>
        ) : null
      })}
    </li>
  )
}

/**
 * An image the guard held a step back on: the rule, why (it would empty the caption or remove most
 * of it), what it would have made of the field, and a box to apply it anyway.
 */
function HeldView({
  it,
  released,
  onRelease,
  label
}: {
  it: CleanupHeldItem
  released: boolean
  onRelease(on: boolean): void
  label(rule: string, fallback: string): string
}): ReactNode {
  const { t } = useTranslation()
  return (
    <li className="dt-item" data-testid="cleanup-held-item" data-file={it.fileName}>
      <span className="mono" title={it.relPath}>
        {it.relPath}
      </span>
      {it.steps.map((h, i) => (
        <div key={i} className="dt-item-line" data-testid="cleanup-held-step" data-rule={h.rule}>
          <span className="lang-chip">{h.field}</span>
          <span className="small">
            {t(`datatools.cleanup.held_${h.reason === 'empties' ? 'empties' : 'most'}`, {
              label: label(h.rule, h.label),
              percent: Math.round(h.removed * 100)
            })}
          </span>
          <span className="mono small" lang={h.field === 'zh' ? 'zh' : 'en'}>
            {h.before} → {h.after === '' ? t('datatools.cleanup.heldEmpty') : h.after}
          </span>
        </div>
      ))}
      <label className="check small">
        <input
          type="checkbox"
          checked={released}
          onChange={(e) => onRelease(e.target.checked)}
          data-testid="cleanup-release"
        />
        {t('datatools.cleanup.release')}
      </label>
    </li>
  )
}

interface Props {
  datasetId: number
  filter: ImageFilter
  selectedId: number | null
  onClose(): void
}

export function CleanupPanel({ datasetId, filter, selectedId, onClose }: Props): ReactNode {
  const { t, i18n } = useTranslation()
  const toast = useToast()
  const qc = useQueryClient()
  const nf = new Intl.NumberFormat(i18n.language)
  const [scope, setScope] = useState<Scope>('filter')
  const [chosen, setChosen] = useState<CleanupPresetId[]>(['web-scrape'])
  const [toggles, setToggles] = useState<Record<string, boolean>>({})
  const [blacklistText, setBlacklistText] = useState('')
  /** the user rules as edited here; null = as saved */
  const [edited, setEdited] = useState<UserRuleData[] | null>(null)
  const [busy, setBusy] = useState(false)
  /** images whose held steps the user chose to apply anyway */
  const [released, setReleased] = useState<number[]>([])

  const presetsQ = useCall('cleanup.presets', {})
  const rulesQ = useCall('cleanup.rules.get', { datasetId }, { staleTime: 0 })
  const applyCleanup = useMutate('cleanup.apply')
  const savedRules = rulesQ.data?.rules ?? null
  const userRules = edited ?? savedRules

  const presets = useMemo(() => presetsQ.data?.presets ?? [], [presetsQ.data])
  const labels = useMemo(
    () => new Map((presetsQ.data?.rules ?? []).map((r) => [r.id, r.label])),
    [presetsQ.data]
  )
  const label = (rule: string): string =>
    t(`datatools.rules.${rule}`, { defaultValue: labels.get(rule) ?? rule })
  const blacklist = blacklistText
    .split(/[,，]/)
    .map((s) => s.trim())
    .filter(Boolean)
  const target = targetFor(scope, datasetId, filter, selectedId)
  const pipeline = buildPipeline(presets, chosen, toggles, blacklist, userRules ?? [])
  const hasPipeline = !!(
    pipeline.presets?.length ||
    pipeline.steps?.length ||
    pipeline.userRules?.length
  )
  // a string key: the debounce settles once the user stops typing
  const key = useDebounced(JSON.stringify({ target, pipeline }), 250)
  const settled = JSON.parse(key) as {
    target: Args<'cleanup.preview'>['target']
    pipeline: Pipeline
  }
  const preview = useCall(
    'cleanup.preview',
    { ...settled.pipeline, target: settled.target, limit: PREVIEW_LIMIT },
    {
      enabled: presetsQ.isSuccess && userRules !== null && hasPipeline,
      placeholderData: keepPreviousData,
      retry: false,
      staleTime: 0,
      gcTime: 0
    }
  )
  const p = hasPipeline ? preview.data : undefined
  const totals = new Map<string, CleanupRuleTotal>((p?.totals ?? []).map((x) => [x.rule, x]))
  const stale = key !== JSON.stringify({ target, pipeline }) || preview.isFetching
  // "apply anyway" counts only for images the current preview still holds back: a change of
  // scope or rules drops the choices made for images no longer listed
  const heldNow = new Set((p?.held ?? []).map((h) => h.imageId))
  const releasedNow = stale ? [] : released.filter((id) => heldNow.has(id))
  const dirty = edited !== null && JSON.stringify(edited) !== JSON.stringify(savedRules)

  async function apply(): Promise<void> {
    setBusy(true)
    try {
      const r = await applyCleanup.mutateAsync({
        ...pipeline,
        target,
        releaseImageIds: releasedNow
      })
      toast.info(
        r.changed
          ? t('datatools.cleanup.applied', { count: r.changed })
          : t('datatools.cleanup.none')
      )
      onClose()
    } catch (e) {
      toast.error(e)
    } finally {
      setBusy(false)
    }
  }

  const rules = rulesOf(presets, chosen)
  const defaultOf = (rule: string): boolean =>
    presets.some(
      (ps) => chosen.includes(ps.id) && ps.steps.some((s) => s.rule === rule && s.enabled)
    )

  return (
    <Modal
      title={t('datatools.cleanup.title')}
      onClose={onClose}
      testId="cleanup-panel"
      wide
      footer={
        <>
          <span className="grow muted" data-testid="cleanup-summary" data-changed={p?.changed}>
            {p
              ? t('datatools.cleanup.summary', { changed: p.changed, scanned: p.scanned })
              : preview.isFetching
                ? t('datatools.cleanup.previewing')
                : ''}
          </span>
          <button className="btn" onClick={onClose}>
            {t('datatools.cleanup.close')}
          </button>
          <button
            className="btn btn-primary"
            disabled={
              busy || !p || stale || (p.changed === 0 && releasedNow.length === 0) || !hasPipeline
            }
            onClick={() => void apply()}
            data-testid="cleanup-apply"
          >
            {t('datatools.cleanup.apply', { count: p?.changed ?? 0 })}
          </button>
        </>
      }
    >
      <div className="form">
        <ScopePicker
          scope={scope}
          onChange={setScope}
          hasSelection={selectedId != null}
          name="cleanup-scope"
        />
        <div className="dt-panel">
          <div className="dt-side">
            <fieldset className="dt-fieldset">
              <legend>{t('datatools.cleanup.presets')}</legend>
              {presets.map((ps) => (
                <label key={ps.id} className="check">
                  <input
                    type="checkbox"
                    checked={chosen.includes(ps.id)}
                    onChange={(e) =>
                      setChosen((c) =>
                        e.target.checked
                          ? presets.map((x) => x.id).filter((id) => id === ps.id || c.includes(id))
                          : c.filter((id) => id !== ps.id)
                      )
                    }
                    data-testid={`cleanup-preset-${ps.id}`}
                  />
                  {t(`datatools.cleanup.preset_${ps.id.replace('-', '_')}`, {
                    defaultValue: ps.id
                  })}
                </label>
              ))}
            </fieldset>
            <fieldset className="dt-fieldset" data-testid="cleanup-rules">
              <legend>{t('datatools.cleanup.rules')}</legend>
              {rules.length === 0 && (
                <p className="muted small">{t('datatools.cleanup.noRules')}</p>
              )}
              <ul className="dt-rules">
                {rules.map((rule) => {
                  const on = toggles[rule] ?? defaultOf(rule)
                  const total = totals.get(rule)
                  return (
                    <li
                      key={rule}
                      className="dt-rule"
                      data-testid="cleanup-rule"
                      data-rule={rule}
                      data-count={on && total ? total.count : 0}
                    >
                      <label className="check">
                        <input
                          type="checkbox"
                          checked={on}
                          onChange={(e) => setToggles((x) => ({ ...x, [rule]: e.target.checked }))}
                          data-testid={`cleanup-toggle-${rule}`}
                        />
                        {label(rule)}
                      </label>
                      <span
                        className={`dt-count ${on && total?.count ? 'dt-count-hot' : ''}`}
                        title={total ? `${nf.format(total.items)} images` : ''}
                      >
                        {on && total ? nf.format(total.count) : on ? '…' : '–'}
                      </span>
                    </li>
                  )
                })}
              </ul>
              {chosen.includes('tags') && (
                <label className="field">
                  <span className="small">{t('datatools.cleanup.blacklist')}</span>
                  <input
                    className="input"
                    value={blacklistText}
                    onChange={(e) => setBlacklistText(e.target.value)}
                    data-testid="cleanup-blacklist"
                  />
                </label>
              )}
            </fieldset>
            {userRules !== null && (
              <CleanupUserRules
                datasetId={datasetId}
                rules={userRules}
                onChange={setEdited}
                dirty={dirty}
                onSaved={(rules) => {
                  qc.setQueryData(callKey('cleanup.rules.get', { datasetId }), { datasetId, rules })
                  setEdited(null)
                }}
                defaultSample={p?.items[0]?.before.en || p?.items[0]?.before.zh || ''}
              />
            )}
          </div>
          <div className="dt-main">
            {!hasPipeline && <p className="muted">{t('datatools.cleanup.noRules')}</p>}
            {hasPipeline && preview.error && (
              <p className="text-danger" data-testid="cleanup-error">
                {preview.error.message}
              </p>
            )}
            {p && (
              <>
                <ul className="dt-issues" data-testid="cleanup-totals">
                  {[...p.totals]
                    .filter((x) => x.count > 0)
                    .sort((a, b) => b.count - a.count)
                    .map((x) => (
                      <li
                        key={x.rule}
                        data-testid="cleanup-total"
                        data-rule={x.rule}
                        data-count={x.count}
                      >
                        {t('datatools.cleanup.ruleCount', {
                          label: labels.has(x.rule) ? label(x.rule) : x.label,
                          count: x.count
                        })}
                      </li>
                    ))}
                  {p.changed === 0 && <li className="muted">{t('datatools.cleanup.nothing')}</li>}
                </ul>
                {p.truncated && (
                  <p className="muted small">
                    {t('datatools.cleanup.truncated', { shown: p.items.length })}
                  </p>
                )}
                {p.heldItems > 0 && (
                  <section data-testid="cleanup-held" data-count={p.heldItems}>
                    <h3 className="small">
                      {t('datatools.cleanup.heldTitle', { count: p.heldItems })}
                    </h3>
                    <p className="muted small">{t('datatools.cleanup.heldHint')}</p>
                    <ul className="dt-items">
                      {p.held.map((it) => (
                        <HeldView
                          key={it.imageId}
                          it={it}
                          released={released.includes(it.imageId)}
                          onRelease={(on) =>
                            setReleased((r) =>
                              on ? [...r, it.imageId] : r.filter((x) => x !== it.imageId)
                            )
                          }
                          label={(rule, fallback) => (labels.has(rule) ? label(rule) : fallback)}
                        />
                      ))}
                    </ul>
                  </section>
                )}
                <ul className="dt-items" data-testid="cleanup-items">
                  {p.items.map((it) => (
                    <ItemView key={it.imageId} it={it} />
                  ))}
                </ul>
              </>
            )}
          </div>
        </div>
      </div>
    </Modal>
  )
}
