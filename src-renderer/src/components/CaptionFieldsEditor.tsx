/**
 * One language of a caption, edited as structured fields or as text, kept in sync: a field edit
 * renders the paragraph (text.render) and saves the fields (captions.setFields, which renders the
 * same text); a text edit saves the text (captions.setText) and is re-parsed into fields
 * (text.parse) for the fields view. Character counts and token budgets follow the text.
 */
import { useCallback, useEffect, useRef, useState } from 'react'
import type { ReactNode, Ref } from 'react'
import { useTranslation } from 'react-i18next'
import { CAPTION_FIELDS } from './glossaryConstants'
import type { CaptionFieldName, CaptionFields, CaptionRow, Lang } from '@shared/api'
import { fixedJoin, renderJoin } from '@shared/caption-joins'
import { call } from '../api/client'
import { useMutate } from '../api/query'
import { useAutosave } from '../hooks/useAutosave'
import type { SaveState } from '../hooks/useAutosave'
import { BudgetCutPreview, TokenBudgetBar, useTokenBudget } from './TokenBudget'
import '../styles/glossary.css'

export type CaptionView = 'text' | 'fields'
const VIEW_KEY = 'glossa.captionView'

function storedView(): CaptionView {
  try {
    return localStorage.getItem(VIEW_KEY) === 'fields' ? 'fields' : 'text'
  } catch {
    return 'text'
  }
}

export interface CaptionEditorState {
  lang: Lang
  /** the caption text (what is saved) */
  value: string
  /** a text-view edit */
  change(v: string): void
  flush(): Promise<void>
  state: SaveState
  fields: CaptionFields
  /** a fields-view edit: renders the text and saves the fields */
  setField(name: CaptionFieldName, v: string): void
}

/** A caption's text and fields for one language, saved automatically and kept in step. */
export function useCaptionEditor(
  imageId: number,
  lang: Lang,
  cap: CaptionRow | null,
  onError: (e: unknown) => void
): CaptionEditorState {
  // non-null while the latest edit came from the fields view: the save stores these fields
  const editedFields = useRef<CaptionFields | null>(null)
  const errRef = useRef(onError)
  useEffect(() => {
    errRef.current = onError
  })
  const { mutateAsync: setFieldsCall } = useMutate('captions.setFields')
  const { mutateAsync: setTextCall } = useMutate('captions.setText')
  const auto = useAutosave(cap?.text ?? '', async (text) => {
    const f = editedFields.current
    try {
      if (f) await setFieldsCall({ imageId, lang, fields: f })
      else await setTextCall({ imageId, lang, text })
    } catch (e) {
      errRef.current(e)
      throw e
    }
  })
  const [fields, setFields] = useState<CaptionFields>(() => cap?.fields ?? {})
  const latestFields = useRef(fields)
  // the text that `fields` renders to (no re-parse needed while the text equals it)
  const synced = useRef<string | null>(cap?.fields ? cap.text : null)
  const renderSeq = useRef(0)
  const latestText = useRef(auto.value)
  useEffect(() => {
    latestText.current = auto.value
  })

  // text → fields (typing in the text view, undo, a glossary apply)
  const capText = cap?.text
  const capFields = cap?.fields
  useEffect(() => {
    const text = auto.value
    if (text === synced.current) return
    // the stored fields when this is the stored text; none for an empty text; else a parse
    const known: CaptionFields | null =
      text === capText && capFields ? capFields : !text.trim() ? {} : null
    const done = (f: CaptionFields): void => {
      if (latestText.current !== text) return
      synced.current = text
      latestFields.current = f
      setFields(f)
    }
    const timer = setTimeout(
      () => {
        if (known) done(known)
        else
          call('text.parse', { text, lang, forFields: true }).then(
            (r) => done(r.fields),
            (e: unknown) => errRef.current(e)
          )
      },
      known ? 0 : 150
    )
    return () => clearTimeout(timer)
  }, [auto.value, capText, capFields, lang])

  const { change: autoChange } = auto
  const setField = useCallback(
    (name: CaptionFieldName, v: string) => {
      const next: CaptionFields = { ...latestFields.current }
      if (v) next[name] = v
      else delete next[name]
      latestFields.current = next
      editedFields.current = next
      setFields(next)
      const seq = ++renderSeq.current
      call('text.render', { fields: next, lang }).then(
        ({ text }) => {
          if (seq !== renderSeq.current) return
          synced.current = text
          autoChange(text)
        },
        (e: unknown) => errRef.current(e)
      )
    },
    [lang, autoChange]
  )

  const change = useCallback(
    (v: string) => {
      editedFields.current = null
      renderSeq.current++
      autoChange(v)
    },
    [autoChange]
  )

  return { lang, value: auto.value, change, flush: auto.flush, state: auto.state, fields, setField }
}

interface Props {
  cap: CaptionEditorState
  textRef?: Ref<HTMLTextAreaElement>
}

/** the connecting words around a field as the paragraph writes them, without punctuation */
function joinWords(f: CaptionFieldName, lang: Lang, value: string): { pre: string; post: string } {
  const j = value.trim() ? renderJoin(f, lang, value) : fixedJoin(f, lang)
  const words = (s: string | undefined): string => (s ?? '').replace(/[\s“”"。.，,]+/gu, ' ').trim()
  return { pre: words(j?.pre), post: words(j?.post) }
}

/** The fields/text switch, both views, the counts and the token budgets of one language. */
export function CaptionLangEditor({ cap, textRef }: Props): ReactNode {
  const { t } = useTranslation()
  const [view, setViewState] = useState<CaptionView>(storedView)
  const setView = (v: CaptionView): void => {
    setViewState(v)
    try {
      localStorage.setItem(VIEW_KEY, v)
    } catch {
      // private mode: the choice just is not remembered
    }
  }
  const { lang } = cap
  const budget = useTokenBudget(cap.value)
  return (
    <div className="field caption-lang" data-testid={`caption-${lang}`} data-view={view}>
      <span className="field-head">
        <span className="caption-title">
          {t(lang === 'zh' ? 'editor.zh' : 'editor.en')}
          <span
            className="seg-group seg-mini"
            role="group"
            aria-label={t('glossary.editor.view')}
            data-testid={`view-switch-${lang}`}
          >
            {(['fields', 'text'] as const).map((v) => (
              <button
                key={v}
                type="button"
                className={`seg ${view === v ? 'seg-on' : ''}`}
                aria-pressed={view === v}
                onClick={() => setView(v)}
                data-testid={`view-${v}-${lang}`}
              >
                {t(v === 'fields' ? 'glossary.editor.fields' : 'glossary.editor.text')}
              </button>
            ))}
          </span>
        </span>
        <small className="muted" data-testid={`${lang}-count`}>
          {t('editor.chars', { count: [...cap.value].length })}
        </small>
      </span>
      {view === 'text' ? (
        <>
          <textarea
            ref={textRef}
            className="textarea"
            lang={lang}
            rows={5}
            value={cap.value}
            onChange={(e) => cap.change(e.target.value)}
            onBlur={() => void cap.flush()}
            data-testid={`editor-${lang}`}
            aria-label={t(lang === 'zh' ? 'editor.zh' : 'editor.en')}
          />
          <BudgetCutPreview text={cap.value} budgets={budget.budgets} lang={lang} />
        </>
      ) : (
        <div className="caption-fields" data-testid={`fields-${lang}`}>
          {CAPTION_FIELDS.map((f) => {
            // the words the paragraph puts around this field ("背景是" / "背景中", "采用 … 构图")
            const join = joinWords(f, lang, cap.fields[f] ?? '')
            return (
              <label key={f} className="caption-field">
                <span className="caption-field-name">{t(`glossary.fields.${f}`)}</span>
                <span className="caption-field-value">
                  {join.pre && (
                    <span
                      className="caption-field-join"
                      lang={lang}
                      title={t('glossary.editor.joinHint')}
                      data-testid={`field-join-${lang}-${f}`}
                    >
                      {join.pre}
                    </span>
                  )}
                  <input
                    className="input"
                    lang={lang}
                    value={cap.fields[f] ?? ''}
                    onChange={(e) => cap.setField(f, e.target.value)}
                    onBlur={() => void cap.flush()}
                    data-testid={`field-${lang}-${f}`}
                  />
                  {join.post && (
                    <span className="caption-field-join" lang={lang}>
                      {join.post}
                    </span>
                  )}
                </span>
              </label>
            )
          })}
          <div className="caption-rendered" data-testid={`fields-text-${lang}`} lang={lang}>
            {cap.value || <span className="muted">{t('glossary.editor.emptyText')}</span>}
          </div>
          <BudgetCutPreview text={cap.value} budgets={budget.budgets} lang={lang} />
        </div>
      )}
      <TokenBudgetBar lang={lang} {...budget} />
    </div>
  )
}
