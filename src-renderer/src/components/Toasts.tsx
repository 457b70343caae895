import { createContext, useCallback, useContext, useMemo, useRef, useState } from 'react'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { CallError } from '../api/client'

interface Toast {
  id: number
  kind: 'error' | 'info'
  message: string
  code?: string
}

interface ToastApi {
  error(e: unknown): void
  info(message: string): void
}

const Ctx = createContext<ToastApi>({ error: () => {}, info: () => {} })
export const useToast = (): ToastApi => useContext(Ctx)

const INFO_MS = 2500
const ERROR_MS = 8000

export function ToastProvider({ children }: { children: ReactNode }): ReactNode {
  const [toasts, setToasts] = useState<Toast[]>([])
  const next = useRef(1)
  const { t } = useTranslation()

  const dismiss = useCallback((id: number) => {
    setToasts((ts) => ts.filter((x) => x.id !== id))
  }, [])

  const push = useCallback(
    (toast: Omit<Toast, 'id'>) => {
      const id = next.current++
      setToasts((ts) => [...ts.slice(-4), { ...toast, id }])
      setTimeout(() => dismiss(id), toast.kind === 'error' ? ERROR_MS : INFO_MS)
    },
    [dismiss]
  )

  const api = useMemo<ToastApi>(
    () => ({
      error(e) {
        if (e instanceof CallError) push({ kind: 'error', message: e.message, code: e.code })
        else push({ kind: 'error', message: e instanceof Error ? e.message : String(e) })
      },
      info(message) {
        push({ kind: 'info', message })
      }
    }),
    [push]
  )

  return (
    <Ctx.Provider value={api}>
      {children}
      <div className="toasts" role="status" aria-live="polite">
        {toasts.map((x) => (
          <div
            key={x.id}
            className={`toast toast-${x.kind}`}
            data-testid={x.kind === 'error' ? 'toast-error' : 'toast-info'}
          >
            <div className="toast-body">
              {x.code && <code className="toast-code">{x.code}</code>}
              <span>{x.message}</span>
            </div>
            <button
              className="icon-btn"
              aria-label={t('toast.dismiss')}
              onClick={() => dismiss(x.id)}
            >
              ×
            </button>
          </div>
        ))}
      </div>
    </Ctx.Provider>
  )
}
