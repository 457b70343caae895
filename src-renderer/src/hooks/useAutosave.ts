import { useCallback, useEffect, useRef, useState } from 'react'

export type SaveState = 'idle' | 'saving' | 'saved' | 'error'

/**
 * A field that saves itself: edits are sent `delay` ms after the last keystroke, one save at a
 * time, and `flush()` sends what is pending now (blur, selection change, before undo). While
 * nothing is pending the field follows the server's value (so undo/redo show up).
 */
export function useAutosave(
  serverValue: string,
  save: (v: string) => Promise<void>,
  delay = 400
): {
  value: string
  change(v: string): void
  flush(): Promise<void>
  state: SaveState
} {
  const [value, setValue] = useState(serverValue)
  const [state, setState] = useState<SaveState>('idle')
  const pending = useRef<string | null>(null)
  const inflight = useRef<Promise<void> | null>(null)
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null)
  const saveRef = useRef(save)
  useEffect(() => {
    saveRef.current = save
  })

  useEffect(() => {
    if (pending.current === null && !inflight.current) setValue(serverValue)
  }, [serverValue])

  const flush = useCallback(async (): Promise<void> => {
    if (timer.current) {
      clearTimeout(timer.current)
      timer.current = null
    }
    for (;;) {
      if (inflight.current) {
        await inflight.current
        continue
      }
      const v = pending.current
      if (v === null) return
      pending.current = null
      setState('saving')
      const p = saveRef.current(v).then(
        () => setState(pending.current === null ? 'saved' : 'saving'),
        () => setState('error')
      )
      inflight.current = p
      await p
      if (inflight.current === p) inflight.current = null
    }
  }, [])

  const change = useCallback(
    (v: string) => {
      setValue(v)
      pending.current = v
      setState('saving')
      if (timer.current) clearTimeout(timer.current)
      timer.current = setTimeout(() => void flush(), delay)
    },
    [flush, delay]
  )

  // leaving (selection change unmounts the editor) writes what is pending
  useEffect(() => () => void flush(), [flush])

  return { value, change, flush, state }
}
