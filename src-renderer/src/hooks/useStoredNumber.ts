import { useCallback, useState } from 'react'

/** A number kept in localStorage (a panel size): read once, written on every change. */
export function useStoredNumber(key: string, fallback: number): [number, (v: number) => void] {
  const [value, setValue] = useState<number>(() => {
    try {
      const v = Number(localStorage.getItem(key))
      return Number.isFinite(v) && v > 0 ? v : fallback
    } catch {
      return fallback
    }
  })
  const set = useCallback(
    (v: number) => {
      setValue(v)
      try {
        localStorage.setItem(key, String(v))
      } catch {
        // storage unavailable: the size lasts for this session
      }
    },
    [key]
  )
  return [value, set]
}
