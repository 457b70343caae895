import { useCallback, useEffect, useRef, useState } from 'react'

export type SaveState = 'idle' | 'saving' | 'saved' | 'error'

/**
 * A field that saves itself: edits are sent `delay` ms after the last keystroke, one save at a
 * time, and `flush()` sends what is pending now (blur, selection change, before undo); leaving
 * (unmount) flushes too. While nothing is pending the field follows the server's value (so
 * undo/redo show up). A failed save keeps the typed text on screen and pending: the state says
 * 'error', the server's value does not replace it, and the next edit or flush tries again.
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
  const inflight = useRef<Promise<boolean> | null>(null)
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
        // another flush is saving: wait for it, then send what came in meanwhile
        if (!(await inflight.current)) return
        continue
      }
      const v = pending.current
      if (v === null) return
      pending.current = null
      setState('saving')
      const p = saveRef.current(v).then(
        () => {
          setState(pending.current === null ? 'saved' : 'saving')
          return true
        },
        () => {
          // keep the text: it is still to be saved (unless a newer edit replaced it)
          pending.current ??= v
          setState('error')
          return false
        }
      )
      inflight.current = p
      const ok = await p
      if (inflight.current === p) inflight.current = null
      if (!ok) return
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
