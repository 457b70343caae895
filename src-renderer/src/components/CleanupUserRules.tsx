/**
 * The dataset's own find/replace and regex rules: edited in place, each tested live on a sample
 * text (cleanup.rules.test: the output, the number of changes, or why the rule is invalid), and
 * saved with the dataset (cleanup.rules.save). The cleanup preview runs the rules as edited.
 */
import { useState } from 'react'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { UserRuleData } from '@shared/api'
import { useCall, useMutate } from '../api/query'
import { useDebounced } from '../hooks/useDebounced'
import { useToast } from './Toasts'

let seq = 0
const newId = (): string => `rule-${Date.now().toString(36)}-${(seq++).toString(36)}`

export const blankRule = (): UserRuleData => ({
  id: newId(),
  find: '',
  replace: '',
  regex: false,
  enabled: true
})

function RuleTest({ rule, sample }: { rule: UserRuleData; sample: string }): ReactNode {
  const { t } = useTranslation()
  // a string, so the debounce settles (a new object every render would restart it forever)
  const key = useDebounced(JSON.stringify({ rule, sample }), 200)
  const args = JSON.parse(key) as { rule: UserRuleData; sample: string }
  const q = useCall(
    'cleanup.rules.test',
    { rule: args.rule, samples: [args.sample] },
    { enabled: args.rule.find.length > 0 && args.sample.length > 0, retry: false }
  )
  if (!rule.find || !sample || !q.data) return null
  if (!q.data.ok)
    return (
      <p className="text-danger small" data-testid="user-rule-error">
        {t('datatools.cleanup.user.invalid', { error: q.data.error ?? '' })}
      </p>
    )
  const res = q.data.results[0]
  return res ? (
    <div data-testid="user-rule-result" data-count={res.count}>
      <span className="muted small">
        {t('datatools.cleanup.user.result', { count: res.count })}
      </span>
      <div className="dt-test-out">{res.output}</div>
    </div>
  ) : null
}

interface Props {
  datasetId: number
  rules: UserRuleData[]
  onChange(rules: UserRuleData[]): void
  dirty: boolean
  onSaved(rules: UserRuleData[]): void
  /** the text the rules are tested on first (a caption of the preview) */
  defaultSample: string
}

export function CleanupUserRules(p: Props): ReactNode {
  const { t } = useTranslation()
  const toast = useToast()
  const [sample, setSample] = useState<string | null>(null)
  const [saving, setSaving] = useState(false)
  const saveRules = useMutate('cleanup.rules.save')
  const text = sample ?? p.defaultSample
  const patch = (i: number, part: Partial<UserRuleData>): void =>
    p.onChange(p.rules.map((r, k) => (k === i ? { ...r, ...part } : r)))

  async function save(): Promise<void> {
    setSaving(true)
    try {
      const r = await saveRules.mutateAsync({
        datasetId: p.datasetId,
        rules: p.rules.filter((x) => x.find.length > 0)
      })
      p.onSaved(r.rules)
      toast.info(t('datatools.cleanup.user.saved'))
    } catch (e) {
      toast.error(e)
    } finally {
      setSaving(false)
    }
  }

  return (
    <fieldset className="dt-fieldset" data-testid="user-rules">
      <legend>{t('datatools.cleanup.user.title')}</legend>
      <label className="field">
        <span className="small">{t('datatools.cleanup.user.sample')}</span>
        <textarea
          className="input"
          rows={2}
          value={text}
          placeholder={t('datatools.cleanup.user.samplePlaceholder')}
          onChange={(e) => setSample(e.target.value)}
          data-testid="user-rule-sample"
        />
      </label>
      {p.rules.map((r, i) => (
        <div key={r.id} className="dt-user-rule" data-testid="user-rule">
          <div className="row-gap">
            <input
              className="input mono grow"
              value={r.find}
              placeholder={t('datatools.cleanup.user.find')}
              aria-label={t('datatools.cleanup.user.find')}
              onChange={(e) => patch(i, { find: e.target.value })}
              data-testid="user-rule-find"
            />
            <input
              className="input mono grow"
              value={r.replace}
              placeholder={t('datatools.cleanup.user.replace')}
              aria-label={t('datatools.cleanup.user.replace')}
              onChange={(e) => patch(i, { replace: e.target.value })}
              data-testid="user-rule-replace"
            />
          </div>
          <div className="dt-inline small">
            <label className="check">
              <input
                type="checkbox"
                checked={r.regex}
                onChange={(e) => patch(i, { regex: e.target.checked })}
                data-testid="user-rule-regex"
              />
              {t('datatools.cleanup.user.regex')}
            </label>
            <label className="check">
              <input
                type="checkbox"
                checked={r.enabled !== false}
                onChange={(e) => patch(i, { enabled: e.target.checked })}
              />
              {t('datatools.cleanup.user.enabled')}
            </label>
            <button
              type="button"
              className="btn btn-small btn-ghost btn-danger"
              onClick={() => p.onChange(p.rules.filter((_, k) => k !== i))}
            >
              {t('datatools.cleanup.user.remove')}
            </button>
          </div>
          <RuleTest rule={r} sample={text} />
        </div>
      ))}
      <div className="row-gap">
        <button
          type="button"
          className="btn btn-small"
          onClick={() => p.onChange([...p.rules, blankRule()])}
          data-testid="user-rule-add"
        >
          {t('datatools.cleanup.user.add')}
        </button>
        <button
          type="button"
          className="btn btn-small"
          disabled={!p.dirty || saving}
          onClick={() => void save()}
          data-testid="user-rules-save"
        >
          {t('datatools.cleanup.user.save')}
        </button>
        {p.dirty && <span className="muted small">{t('datatools.cleanup.user.unsaved')}</span>}
      </div>
    </fieldset>
  )
}
