/**
 * OpenAI-compatible endpoints on the Models page: the form that adds one (name, server URL, the
 * model the server serves, the environment variable holding the key, requests in flight, longest
 * image side) with "Test connection" (the server's models, or what is wrong, in words), and the
 * card of a saved endpoint (its server, where its key comes from, test, remove). Keys: only the
 * NAME of an environment variable goes through the API; the desktop app can also keep a key in the
 * system keychain (sent once, never shown again); in browser mode the page never handles a key.
 */
import { useState } from 'react'
import type { FormEvent, ReactNode } from 'react'
import type { TFunction } from 'i18next'
import { useTranslation } from 'react-i18next'
import type { EndpointTestResult, ModelInfo } from '@shared/api'
import { call } from '../api/client'
import { useCall, useMutate } from '../api/query'
import { errorText as errorInWords } from './errorText'
import { useToast } from './Toasts'

function TestResult({
  r,
  onPick
}: {
  r: EndpointTestResult
  onPick?: (model: string) => void
}): ReactNode {
  const { t } = useTranslation()
  return (
    <div
      className={`endpoint-test ${r.ok ? 'endpoint-test-ok' : 'endpoint-test-bad'}`}
      role="status"
      data-testid="endpoint-test-result"
      data-ok={r.ok}
    >
      <p>
        {r.ok ? '✓ ' : '✗ '}
        {r.message}
      </p>
      {r.models.length > 0 && (
        <div className="endpoint-served">
          <span className="muted">{t('captioning.endpoints.served')}</span>
          {r.models.slice(0, 30).map((m) =>
            onPick ? (
              <button
                key={m}
                type="button"
                className="chip chip-button mono"
                title={t('captioning.endpoints.pickModel')}
                onClick={() => onPick(m)}
                data-testid="endpoint-served-model"
              >
                {m}
              </button>
            ) : (
              <span key={m} className="chip mono">
                {m}
              </span>
            )
          )}
        </div>
      )}
    </div>
  )
}

/** Where the key of an endpoint comes from, in words. */
function keySource(m: ModelInfo, t: TFunction): string {
  const e = m.endpoint!
  if (e.keyEnv)
    return e.keyAvailable
      ? t('captioning.endpoints.keyFromEnv', { env: e.keyEnv })
      : t('captioning.endpoints.keyEnvUnset', { env: e.keyEnv })
  return e.keyStored ? t('captioning.endpoints.keyStored') : t('captioning.endpoints.keyNone')
}

/** Stores (or forgets) an endpoint's key in the system keychain: desktop app only. */
function KeyField({ m }: { m: ModelInfo }): ReactNode {
  const { t } = useTranslation()
  const toast = useToast()
  const { mutateAsync: storeKey } = useMutate('models.endpointKey')
  const [key, setKey] = useState('')
  async function save(value: string | null): Promise<void> {
    try {
      await storeKey({ id: m.id, key: value })
      setKey('')
      toast.info(
        value ? t('captioning.endpoints.keySaved') : t('captioning.endpoints.keyForgotten')
      )
    } catch (err) {
      toast.error(err)
    }
  }
  return (
    <form
      className="row-gap endpoint-key"
      onSubmit={(e) => {
        e.preventDefault()
        if (key.trim()) void save(key)
      }}
    >
      <input
        className="input grow"
        type="password"
        autoComplete="off"
        value={key}
        onChange={(e) => setKey(e.target.value)}
        placeholder={t('captioning.endpoints.key')}
        aria-label={t('captioning.endpoints.key')}
        data-testid="endpoint-key"
      />
      <button type="submit" className="btn btn-small" disabled={!key.trim()}>
        {t('captioning.endpoints.keySave')}
      </button>
      {m.endpoint?.keyStored && (
        <button type="button" className="btn btn-small btn-ghost" onClick={() => void save(null)}>
          {t('captioning.endpoints.keyForget')}
        </button>
      )}
    </form>
  )
}

/** The head of a model card (kind badge, name, a detail, Remove), for folders and endpoints. */
export function ModelCardHead({
  m,
  detail,
  onRemove
}: {
  m: ModelInfo
  detail: string
  onRemove(): void
}): ReactNode {
  const { t } = useTranslation()
  return (
    <div className="model-card-head">
      <span className="badge model-kind">{t(`captioning.kind.${m.kind}`)}</span>
      <strong>{m.name}</strong>
      <span className="muted mono">{detail}</span>
      <button
        className="btn btn-small btn-ghost model-remove"
        onClick={onRemove}
        data-testid="model-remove"
      >
        {t('captioning.models.remove')}
      </button>
    </div>
  )
}

/** A saved endpoint in the models list. */
export function EndpointCard({
  m,
  keyStorage,
  onRemove
}: {
  m: ModelInfo
  keyStorage: boolean
  onRemove(): void
}): ReactNode {
  const { t } = useTranslation()
  const e = m.endpoint!
  const [testing, setTesting] = useState(false)
  const [result, setResult] = useState<EndpointTestResult | null>(null)
  async function test(): Promise<void> {
    setTesting(true)
    try {
      setResult(await call('models.endpointTest', { id: m.id }))
    } catch (err) {
      setResult({
        ok: false,
        models: [],
        modelServed: null,
        message: errorInWords(t, err),
        errorKind: null
      })
    } finally {
      setTesting(false)
    }
  }
  return (
    <li className="model-card" data-testid="model-card" data-id={m.id} data-kind={m.kind}>
      <ModelCardHead m={m} detail={e.model} onRemove={onRemove} />
      <div className="mono model-dir" title={e.url}>
        {e.url}
      </div>
      <div className="model-meta muted">
        {[
          t('captioning.endpoints.inFlight', { count: e.concurrency }),
          t('captioning.endpoints.maxSideValue', { px: e.maxSide }),
          keySource(m, t)
        ].join(' · ')}
      </div>
      <div className="row-gap">
        <button
          type="button"
          className="btn btn-small"
          disabled={testing}
          onClick={() => void test()}
          data-testid="endpoint-test"
        >
          {testing ? t('captioning.endpoints.testing') : t('captioning.endpoints.test')}
        </button>
      </div>
      {result && <TestResult r={result} />}
      {keyStorage && !e.keyEnv && <KeyField m={m} />}
    </li>
  )
}

interface Draft {
  name: string
  url: string
  model: string
  keyEnv: string
  concurrency: number
  maxSide: number
}
const EMPTY: Draft = { name: '', url: '', model: '', keyEnv: '', concurrency: 4, maxSide: 1024 }

function DraftField({
  label,
  wide,
  children
}: {
  label: string
  wide?: boolean
  children: ReactNode
}): ReactNode {
  return (
    <label className={wide ? 'field endpoint-wide' : 'field'}>
      <span>{label}</span>
      {children}
    </label>
  )
}

/** The props of a monospace text input bound to a draft value. */
function text(value: string, onChange: (v: string) => void) {
  return {
    className: 'input mono',
    value,
    spellCheck: false,
    onChange: (e: { target: { value: string } }) => onChange(e.target.value)
  }
}

/** The "add endpoint" form, with Test connection before saving. */
export function AddEndpointForm(): ReactNode {
  const { t } = useTranslation()
  const toast = useToast()
  const status = useCall('models.status', {})
  const { mutateAsync: saveEndpoint } = useMutate('models.endpointSave')
  const [d, setD] = useState<Draft>(EMPTY)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [tested, setTested] = useState<{ key: string; r: EndpointTestResult } | null>(null)
  const set = <K extends keyof Draft>(k: K, v: Draft[K]): void => setD((x) => ({ ...x, [k]: v }))
  const definition = {
    name: d.name.trim(),
    url: d.url.trim(),
    model: d.model.trim(),
    ...(d.keyEnv.trim() ? { keyEnv: d.keyEnv.trim() } : {}),
    concurrency: d.concurrency,
    maxSide: d.maxSide
  }
  const draftKey = JSON.stringify(definition)
  const ready = definition.name && definition.url && definition.model

  async function test(): Promise<void> {
    setBusy(true)
    setError(null)
    try {
      // a name is needed by the schema; a placeholder is fine for a connection test
      const r = await call('models.endpointTest', {
        endpoint: { ...definition, name: definition.name || 'test' }
      })
      setTested({ key: draftKey, r })
    } catch (err) {
      setError(errorInWords(t, err))
    } finally {
      setBusy(false)
    }
  }

  async function submit(e: FormEvent): Promise<void> {
    e.preventDefault()
    if (!ready || busy) return
    setBusy(true)
    setError(null)
    try {
      const m = await saveEndpoint({ endpoint: definition })
      toast.info(t('captioning.endpoints.added', { id: m.id }))
      setD(EMPTY)
      setTested(null)
    } catch (err) {
      setError(errorInWords(t, err))
    } finally {
      setBusy(false)
    }
  }

  const result = tested && tested.key === draftKey ? tested.r : null
  return (
    <form className="form endpoint-add" onSubmit={(e) => void submit(e)} data-testid="endpoint-add">
      <p className="muted">{t('captioning.endpoints.hint')}</p>
      <div className="endpoint-grid">
        <DraftField label={t('captioning.endpoints.name')}>
          <input
            {...text(d.name, (v) => set('name', v.toLowerCase()))}
            placeholder="vllm-box"
            data-testid="endpoint-name"
          />
        </DraftField>
        <DraftField label={t('captioning.endpoints.url')} wide>
          <input
            {...text(d.url, (v) => set('url', v))}
            placeholder="http://localhost:8000"
            data-testid="endpoint-url"
          />
        </DraftField>
        <DraftField label={t('captioning.endpoints.model')} wide>
          <input
            {...text(d.model, (v) => set('model', v))}
            placeholder="Qwen/Qwen2.5-VL-7B-Instruct"
            data-testid="endpoint-model"
          />
        </DraftField>
        <DraftField label={t('captioning.endpoints.keyEnv')}>
          <input
            {...text(d.keyEnv, (v) => set('keyEnv', v.toUpperCase()))}
            placeholder="GLOSSA_VLLM_KEY"
            data-testid="endpoint-key-env"
          />
        </DraftField>
        <DraftField label={t('captioning.endpoints.concurrency')}>
          <input
            className="input"
            type="number"
            min={1}
            max={64}
            value={d.concurrency}
            onChange={(e) => set('concurrency', Math.max(1, Number(e.target.value) || 1))}
            data-testid="endpoint-concurrency"
          />
        </DraftField>
        <DraftField label={t('captioning.endpoints.maxSide')}>
          <input
            className="input"
            type="number"
            min={64}
            max={4096}
            step={64}
            value={d.maxSide}
            onChange={(e) => set('maxSide', Number(e.target.value) || 1024)}
            data-testid="endpoint-max-side"
          />
        </DraftField>
      </div>
      <small className="muted">
        {status.data?.keyStorage
          ? t('captioning.endpoints.keyHintDesktop')
          : t('captioning.endpoints.keyHint')}
      </small>
      <div className="row-gap">
        <button
          type="button"
          className="btn"
          disabled={!definition.url || !definition.model || busy}
          onClick={() => void test()}
          data-testid="endpoint-test-draft"
        >
          {busy ? t('captioning.endpoints.testing') : t('captioning.endpoints.test')}
        </button>
        <button
          type="submit"
          className="btn btn-primary"
          disabled={!ready || busy}
          data-testid="endpoint-submit"
        >
          {t('captioning.endpoints.add')}
        </button>
      </div>
      {result && <TestResult r={result} onPick={(m) => set('model', m)} />}
      {error && (
        <p className="model-error" role="alert" data-testid="endpoint-error">
          {error}
        </p>
      )}
    </form>
  )
}
