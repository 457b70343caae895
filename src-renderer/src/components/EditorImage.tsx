/**
 * The editor's image: the whole picture letterboxed in a box whose height the user drags (kept
 * across images and sessions), and a click (or `z`) opens it full-window: fitted first, then 1:1
 * with a click or `1`, panned by dragging, the wheel, or the arrow keys; Esc or `z` closes.
 */
import { useEffect, useRef, useState } from 'react'
import type { PointerEvent as ReactPointerEvent, ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { useStoredNumber } from '../hooks/useStoredNumber'
import { useModalDialog } from './Modal'

const MIN_H = 140
const KEY = 'glossa.previewHeight'

export function EditorImage({
  id,
  fileName,
  width,
  height,
  error,
  zoomed,
  onZoom
}: {
  id: number
  fileName: string
  width: number | null
  height: number | null
  error: string | null
  zoomed: boolean
  onZoom(open: boolean): void
}): ReactNode {
  const { t } = useTranslation()
  const [h, setH] = useStoredNumber(
    KEY,
    Math.min(420, Math.max(160, Math.round(window.innerHeight * 0.3)))
  )
  const drag = useRef<{ y: number; h: number } | null>(null)
  const maxH = (): number => Math.max(MIN_H, Math.round(window.innerHeight * 0.7))
  const clampH = (v: number): number => Math.min(maxH(), Math.max(MIN_H, Math.round(v)))

  function onDown(e: ReactPointerEvent<HTMLDivElement>): void {
    e.currentTarget.setPointerCapture(e.pointerId)
    drag.current = { y: e.clientY, h }
  }
  function onMove(e: ReactPointerEvent<HTMLDivElement>): void {
    if (!drag.current) return
    setH(clampH(drag.current.h + e.clientY - drag.current.y))
  }

  return (
    <>
      <div className="preview" style={{ height: h }}>
        {error ? (
          <div className="preview-error">{error}</div>
        ) : (
          <button
            type="button"
            className="preview-button"
            onClick={() => onZoom(true)}
            title={t('editor.zoom')}
            aria-label={`${t('editor.zoom')}: ${fileName}`}
            data-testid="editor-zoom-open"
          >
            <img
              src={`media/preview/${id}`}
              alt={fileName}
              data-testid="editor-preview"
              width={width ?? undefined}
              height={height ?? undefined}
              draggable={false}
            />
          </button>
        )}
      </div>
      <div
        className="preview-resize"
        role="separator"
        aria-orientation="horizontal"
        aria-label={t('editor.resizeImage')}
        aria-valuenow={h}
        aria-valuemin={MIN_H}
        aria-valuemax={maxH()}
        tabIndex={0}
        onPointerDown={onDown}
        onPointerMove={onMove}
        onPointerUp={() => (drag.current = null)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
            e.preventDefault()
            e.stopPropagation()
            setH(clampH(h + (e.key === 'ArrowUp' ? -24 : 24)))
          }
        }}
        data-testid="preview-resize"
      />
      {zoomed && !error && <ImageZoom id={id} fileName={fileName} onClose={() => onZoom(false)} />}
    </>
  )
}

/** Full-window view: fit, or 1:1 panned with the mouse, the wheel or the keys. */
export function ImageZoom({
  id,
  fileName,
  onClose
}: {
  id: number
  fileName: string
  onClose(): void
}): ReactNode {
  const { t } = useTranslation()
  const ref = useRef<HTMLDialogElement>(null)
  const scroller = useRef<HTMLDivElement>(null)
  const [actual, setActual] = useState(false)
  const [natural, setNatural] = useState<{ w: number; h: number } | null>(null)
  const pan = useRef<{ x: number; y: number; left: number; top: number; moved: boolean } | null>(
    null
  )
  /** where (0..1 of the picture) a click asked for 1:1, to keep that point under the pointer */
  const focus = useRef<{ fx: number; fy: number; cx: number; cy: number } | null>(null)
  const closeRef = useModalDialog(ref, onClose)

  // after switching to 1:1, scroll so the clicked point stays where it was
  useEffect(() => {
    const s = scroller.current
    if (!s || !actual || !natural) return
    const f = focus.current ?? { fx: 0.5, fy: 0.5, cx: s.clientWidth / 2, cy: s.clientHeight / 2 }
    s.scrollLeft = f.fx * natural.w - f.cx
    s.scrollTop = f.fy * natural.h - f.cy
    focus.current = null
  }, [actual, natural])

  function toggle(at?: { clientX: number; clientY: number; target: EventTarget }): void {
    if (!actual && at && at.target instanceof HTMLImageElement && natural) {
      // the picture inside the fitted <img> box (object-fit: contain letterboxes it)
      const r = at.target.getBoundingClientRect()
      const scale = Math.min(r.width / natural.w, r.height / natural.h)
      const left = r.left + (r.width - natural.w * scale) / 2
      const top = r.top + (r.height - natural.h * scale) / 2
      const box = scroller.current!.getBoundingClientRect()
      focus.current = {
        fx: Math.min(1, Math.max(0, (at.clientX - left) / (natural.w * scale))),
        fy: Math.min(1, Math.max(0, (at.clientY - top) / (natural.h * scale))),
        cx: at.clientX - box.left,
        cy: at.clientY - box.top
      }
    }
    setActual((a) => !a)
  }

  return (
    <dialog
      ref={ref}
      className="zoom"
      aria-label={`${t('editor.zoomTitle')}: ${fileName}`}
      data-testid="image-zoom"
      data-mode={actual ? 'actual' : 'fit'}
      onKeyDown={(e) => {
        const s = scroller.current
        if (e.key === 'z' || e.key === 'Z') {
          e.preventDefault()
          closeRef.current()
        } else if (e.key === '1' || e.key === 'f') {
          e.preventDefault()
          setActual(e.key === '1' ? (a) => !a : false)
        } else if (s && actual && e.key.startsWith('Arrow')) {
          e.preventDefault()
          const step = e.shiftKey ? 200 : 60
          if (e.key === 'ArrowLeft') s.scrollLeft -= step
          if (e.key === 'ArrowRight') s.scrollLeft += step
          if (e.key === 'ArrowUp') s.scrollTop -= step
          if (e.key === 'ArrowDown') s.scrollTop += step
        }
      }}
    >
      <header className="zoom-bar">
        <span className="zoom-name mono" title={fileName}>
          {fileName}
        </span>
        {natural && (
          <span className="muted">
            {natural.w} × {natural.h}
          </span>
        )}
        <span className="grow" />
        <div className="seg-group" role="group" aria-label={t('editor.zoomMode')}>
          <button
            type="button"
            className={`seg ${!actual ? 'seg-on' : ''}`}
            aria-pressed={!actual}
            onClick={() => setActual(false)}
            data-testid="zoom-fit"
          >
            {t('editor.zoomFit')}
          </button>
          <button
            type="button"
            className={`seg ${actual ? 'seg-on' : ''}`}
            aria-pressed={actual}
            onClick={() => setActual(true)}
            data-testid="zoom-actual"
          >
            1:1
          </button>
        </div>
        <button
          type="button"
          className="btn btn-small"
          onClick={() => closeRef.current()}
          data-testid="zoom-close"
        >
          {t('editor.zoomClose')} <kbd>Esc</kbd>
        </button>
      </header>
      <div
        ref={scroller}
        className={`zoom-stage ${actual ? 'zoom-actual' : 'zoom-fit'}`}
        onPointerDown={(e) => {
          if (e.button !== 0) return
          const s = scroller.current!
          pan.current = {
            x: e.clientX,
            y: e.clientY,
            left: s.scrollLeft,
            top: s.scrollTop,
            moved: false
          }
        }}
        onPointerMove={(e) => {
          const p = pan.current
          if (!p || !actual) return
          const dx = e.clientX - p.x
          const dy = e.clientY - p.y
          if (Math.abs(dx) + Math.abs(dy) > 3) p.moved = true
          scroller.current!.scrollLeft = p.left - dx
          scroller.current!.scrollTop = p.top - dy
        }}
        onPointerUp={(e) => {
          const p = pan.current
          pan.current = null
          if (p?.moved) return
          if (e.target === scroller.current) closeRef.current()
          else toggle(e)
        }}
        data-testid="zoom-stage"
      >
        <img
          src={`media/full/${id}`}
          alt={fileName}
          draggable={false}
          onLoad={(e) =>
            setNatural({ w: e.currentTarget.naturalWidth, h: e.currentTarget.naturalHeight })
          }
          data-testid="zoom-image"
        />
      </div>
    </dialog>
  )
}
