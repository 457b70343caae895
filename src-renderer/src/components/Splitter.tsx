/**
 * The handle between the grid and the editor: drag it, or focus it and use ←/→ (Shift for big
 * steps), to give the editor more or less room. The width is kept across sessions.
 */
import { useRef } from 'react'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'

export function Splitter({
  width,
  min,
  max,
  onWidth
}: {
  /** the editor's width (px), measured from the right edge */
  width: number
  min: number
  max: number
  onWidth(w: number): void
}): ReactNode {
  const { t } = useTranslation()
  const drag = useRef<{ x: number; w: number } | null>(null)
  const clamp = (v: number): number => Math.min(max, Math.max(min, Math.round(v)))
  return (
    <div
      className="splitter"
      role="separator"
      aria-orientation="vertical"
      aria-label={t('editor.resizePanel')}
      aria-valuenow={width}
      aria-valuemin={min}
      aria-valuemax={max}
      tabIndex={0}
      onPointerDown={(e) => {
        e.currentTarget.setPointerCapture(e.pointerId)
        drag.current = { x: e.clientX, w: width }
      }}
      onPointerMove={(e) => {
        if (drag.current) onWidth(clamp(drag.current.w - (e.clientX - drag.current.x)))
      }}
      onPointerUp={() => (drag.current = null)}
      onKeyDown={(e) => {
        if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return
        e.preventDefault()
        e.stopPropagation()
        const step = e.shiftKey ? 120 : 24
        onWidth(clamp(width + (e.key === 'ArrowLeft' ? step : -step)))
      }}
      data-testid="splitter"
    />
  )
}
