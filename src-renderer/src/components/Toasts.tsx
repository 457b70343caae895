import { createContext, useCallback, useContext, useMemo, useRef, useState } from 'react'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { CallError } from '../api/client'
import { errorText } from './errorText'

interface ToastAction {
  label: string
  run(): void | Promise<void>
}

interface Toast {
  id: number
  kind: 'error' | 'info'
  message: string
  code?: string
  action?: ToastAction
  testId?: string
}

export interface InfoOptions {
  /** a button in the toast (Undo); the toast then stays longer */
  action?: ToastAction | undefined
  testId?: string
}

interface ToastApi {
  error(e: unknown): void
  info(message: string, opts?: InfoOptions): void
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
      setTimeout(() => dismiss(id), toast.kind === 'error' || toast.action ? ERROR_MS : INFO_MS)
    },
    [dismiss]
  )

  const api = useMemo<ToastApi>(
    () => ({
      error(e) {
        push({
          kind: 'error',
          message: errorText(t, e),
          ...(e instanceof CallError ? { code: e.code } : {})
        })
      },
      info(message, opts) {
        push({ kind: 'info', message, ...opts })
      }
    }),
    [push, t]
  )

  return (
    <Ctx.Provider value={api}>
      {children}
      <div className="toasts" role="status" aria-live="polite">
        {toasts.map((x) => (
          <div
            key={x.id}
            className={`toast toast-${x.kind}`}
            role={x.kind === 'error' ? 'alert' : undefined}
            data-testid={x.testId ?? (x.kind === 'error' ? 'toast-error' : 'toast-info')}
            data-code={x.code}
          >
            <div className="toast-body">
              <span>{x.message}</span>
            </div>
            {x.action && (
              <button
                type="button"
                className="btn btn-small"
                onClick={() => {
                  dismiss(x.id)
                  void Promise.resolve(x.action!.run()).catch((e: unknown) => api.error(e))
                }}
                data-testid="toast-action"
              >
                {x.action.label}
              </button>
            )}
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
