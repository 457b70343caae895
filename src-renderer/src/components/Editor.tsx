import { useEffect, useRef } from 'react'
import type { ReactNode, RefObject } from 'react'
import { useTranslation } from 'react-i18next'
import { REVIEW_STATUSES } from '../api/constants'
import type { CaptionRow, ImageDetail, ImageRow, Lang, ReviewStatus, TagRow } from '@shared/api'
import { useCall, useMutate } from '../api/query'
import { useAutosave } from '../hooks/useAutosave'
import type { SaveState } from '../hooks/useAutosave'
import { useToast } from './Toasts'
import { TagScores } from './TagScores'
import { CaptionLangEditor, useCaptionEditor } from './CaptionFieldsEditor'
import { KnowledgePanel } from './KnowledgePanel'
import { CaptionPromptPanel } from './CaptionPromptPanel'
import { LintBadges } from './LintBadges'
import { HistorySection } from './HistoryPanel'
import { EditorImage } from './EditorImage'
import { showCombo, useBindings, type ShortcutAction } from '../hooks/keyboard'

export interface EditorHandle {
  focusZh(): void
  flush(): Promise<void>
}

const STATUS_ACTION = {
  approved: 'approve',
  rejected: 'reject',
  'needs-work': 'needsWork',
  unreviewed: 'unreviewed'
} as const satisfies Record<ReviewStatus, ShortcutAction>

function combine(states: SaveState[]): SaveState {
  if (states.includes('error')) return 'error'
  if (states.includes('saving')) return 'saving'
  if (states.includes('saved')) return 'saved'
  return 'idle'
}

function tagsToInput(
  raw: string,
  known: TagRow[]
): { tag: string; score?: number | null; source?: string }[] {
  const byName = new Map(known.map((k) => [k.tag, k]))
  const seen = new Set<string>()
  return raw
    .split(/[,，\n]/)
    .map((s) => s.trim())
    .filter((s) => s && !seen.has(s) && seen.add(s))
    .map((tag) => {
      const k = byName.get(tag)
      return k ? { tag, score: k.score, source: k.source } : { tag }
    })
}

/** What the grid row already knows, so the editor is usable before images.get answers. */
function placeholderFrom(row: ImageRow): ImageDetail {
  const cap = (lang: Lang, text: string): CaptionRow | null =>
    text ? { lang, text, fields: null, source: '', updatedAt: 0, updatedBy: null } : null
  return {
    ...row,
    path: '',
    sha256: null,
    orientation: null,
    mtimeMs: 0,
    raw: null,
    rawFile: null,
    rawEncoding: null,
    captions: { zh: cap('zh', row.zh), en: cap('en', row.en) },
    tagRows: row.tags.map((tag) => ({ tag, score: null, source: '' }))
  }
}

interface Props {
  imageId: number
  row?: ImageRow
  handleRef: RefObject<EditorHandle | null>
  onSetStatus(s: ReviewStatus): void
  /** the full-window view of the image (click, or the `z` key) */
  zoomed: boolean
  onZoom(open: boolean): void
}

function EditorBody({
  d,
  loading,
  handleRef,
  onSetStatus,
  zoomed,
  onZoom
}: { d: ImageDetail; loading: boolean } & Omit<Props, 'imageId' | 'row'>): ReactNode {
  const { t } = useTranslation()
  const toast = useToast()
  const zhRef = useRef<HTMLTextAreaElement>(null)
  const bindings = useBindings()
  const keyOf = Object.fromEntries(
    REVIEW_STATUSES.map((s) => {
      const c = bindings[STATUS_ACTION[s]][0]
      return [s, c ? showCombo(c) : '']
    })
  ) as Record<ReviewStatus, string>

  // fields and text views of each language, kept in sync (CaptionFieldsEditor.tsx)
  const zh = useCaptionEditor(d.id, 'zh', d.captions.zh, toast.error)
  const en = useCaptionEditor(d.id, 'en', d.captions.en, toast.error)
  const { mutateAsync: setTags } = useMutate('captions.setTags')
  const tags = useAutosave(d.tagRows.map((r) => r.tag).join(', '), async (v) => {
    try {
      await setTags({ imageId: d.id, tags: tagsToInput(v, d.tagRows) })
    } catch (e) {
      toast.error(e)
      throw e
    }
  })
  const state = combine([zh.state, en.state, tags.state])

  const { flush: flushZh } = zh
  const { flush: flushEn } = en
  const { flush: flushTags } = tags
  useEffect(() => {
    handleRef.current = {
      focusZh: () => zhRef.current?.focus(),
      flush: async () => {
        await Promise.all([flushZh(), flushEn(), flushTags()])
      }
    }
    return () => {
      handleRef.current = null
    }
  }, [handleRef, flushZh, flushEn, flushTags])

  return (
    <div className="editor-body">
      <header className="editor-head">
        <h2 title={d.relPath}>{d.fileName}</h2>
        {d.width && d.height && (
          <span className="muted mono editor-size">
            {t('editor.size', { w: d.width, h: d.height })}
          </span>
        )}
        <span className={`save-state save-${state}`} data-testid="save-state" data-state={state}>
          {state === 'saving'
            ? t('editor.saving')
            : state === 'saved'
              ? t('editor.saved')
              : state === 'error'
                ? t('editor.error')
                : ''}
        </span>
      </header>
      <EditorImage
        id={d.id}
        fileName={d.fileName}
        width={d.width}
        height={d.height}
        error={d.error}
        zoomed={zoomed}
        onZoom={onZoom}
      />
      <div className="status-buttons" role="group" aria-label={t('editor.status')}>
        {REVIEW_STATUSES.map((s) => (
          <button
            key={s}
            className={`seg status-${s} ${d.status === s ? 'seg-on' : ''}`}
            aria-pressed={d.status === s}
            onClick={() => onSetStatus(s)}
            data-testid={`status-${s}`}
            title={keyOf[s] ? `${t(`status.${s}`)} (${keyOf[s]})` : t(`status.${s}`)}
          >
            <i className={`dot status-bg-${s}`} />
            {t(`status.${s}`)}
            {keyOf[s] && <kbd>{keyOf[s]}</kbd>}
          </button>
        ))}
      </div>
      <span className="sr-only" data-testid="editor-status">
        {d.status}
      </span>
      {!loading && <LintBadges imageId={d.id} />}
      <CaptionLangEditor cap={zh} textRef={zhRef} />
      <CaptionLangEditor cap={en} />
      <div className="editor-meta">
        <span className="mono" title={d.path || d.relPath}>
          {d.relPath}
        </span>
        {d.concept && <span className="muted">{d.concept}</span>}
      </div>
      <label className="field">
        <span className="field-head">{t('editor.tags')}</span>
        <textarea
          className="textarea textarea-tags"
          rows={2}
          value={tags.value}
          readOnly={loading}
          onChange={(e) => tags.change(e.target.value)}
          onBlur={() => void tags.flush()}
          data-testid="editor-tags"
          spellCheck={false}
        />
      </label>
      <TagScores tags={d.tagRows} />
      <div className="field">
        <span className="field-head">
          {t('editor.raw')}
          {d.rawFile && <small className="muted mono">{d.rawFile.split(/[\\/]/).pop()}</small>}
        </span>
        <pre className="raw" data-testid="editor-raw">
          {d.raw ?? (
            <span className="muted">{loading ? t('grid.loading') : t('editor.rawNone')}</span>
          )}
        </pre>
      </div>
      {!loading && <KnowledgePanel imageId={d.id} />}
      {!loading && <CaptionPromptPanel imageId={d.id} />}
      {!loading && <HistorySection imageId={d.id} />}
    </div>
  )
}

export function Editor({ imageId, row, handleRef, onSetStatus, zoomed, onZoom }: Props): ReactNode {
  const { t } = useTranslation()
  const q = useCall(
    'images.get',
    { id: imageId },
    { placeholderData: row ? placeholderFrom(row) : undefined }
  )
  if (!q.data)
    return <div className="editor-empty">{q.isError ? t('editor.error') : t('grid.loading')}</div>
  return (
    <EditorBody
      d={q.data}
      loading={q.isPlaceholderData}
      handleRef={handleRef}
      onSetStatus={onSetStatus}
      zoomed={zoomed}
      onZoom={onZoom}
    />
  )
}
