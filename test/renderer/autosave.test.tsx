/**
 * The editor's autosave (src-renderer/src/hooks/useAutosave.ts), mounted in a real React root:
 * edits are debounced into one save, leaving flushes what is pending, and a failed save keeps
 * the typed text (the server's value does not replace it, the next flush sends it again).
 */
import { act, useEffect } from 'react'
import type { ReactNode } from 'react'
import { createRoot, type Root } from 'react-dom/client'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { useAutosave, type SaveState } from '@renderer/hooks/useAutosave'

declare global {
  var IS_REACT_ACT_ENVIRONMENT: boolean | undefined
}
globalThis.IS_REACT_ACT_ENVIRONMENT = true

interface Handle {
  value: string
  state: SaveState
  change(v: string): void
  flush(): Promise<void>
}

function Field(p: {
  server: string
  save: (v: string) => Promise<void>
  out: { current: Handle | null }
}): ReactNode {
  const a = useAutosave(p.server, p.save, 400)
  useEffect(() => {
    p.out.current = a
  })
  return <textarea value={a.value} readOnly data-state={a.state} />
}

let root: Root
let host: HTMLElement
const out: { current: Handle | null } = { current: null }

function render(server: string, save: (v: string) => Promise<void>): void {
  act(() => root.render(<Field server={server} save={save} out={out} />))
}
const field = (): Handle => out.current!
const shown = (): string => host.querySelector('textarea')!.value

beforeEach(() => {
  vi.useFakeTimers()
  host = document.createElement('div')
  document.body.append(host)
  root = createRoot(host)
})
afterEach(() => {
  act(() => root.unmount())
  host.remove()
  vi.useRealTimers()
})

describe('useAutosave', () => {
  it('debounces a burst of typing into one save of the last text', async () => {
    const saved: string[] = []
    const save = vi.fn(async (v: string) => void saved.push(v))
    render('', save)
    act(() => field().change('夜'))
    act(() => field().change('夜幕'))
    await act(async () => void vi.advanceTimersByTime(399))
    expect(saved).toEqual([])
    expect(field().state).toBe('saving')
    act(() => field().change('夜幕下'))
    await act(async () => void vi.advanceTimersByTime(399))
    expect(saved).toEqual([])
    await act(async () => void vi.advanceTimersByTime(1))
    expect(saved).toEqual(['夜幕下'])
    expect(field().state).toBe('saved')
    expect(shown()).toBe('夜幕下')
  })

  it('flush sends what is pending at once, and leaving the field flushes too', async () => {
    const saved: string[] = []
    render('a', async (v) => void saved.push(v))
    act(() => field().change('ab'))
    await act(() => field().flush())
    expect(saved).toEqual(['ab'])
    // nothing pending: a second flush saves nothing
    await act(() => field().flush())
    expect(saved).toEqual(['ab'])

    act(() => field().change('abc'))
    // the selection moves on before the debounce fires: unmounting writes the edit
    await act(async () => root.unmount())
    expect(saved).toEqual(['ab', 'abc'])
    root = createRoot(host)
  })

  it('follows the server value while nothing is pending (undo shows up)', async () => {
    render('one', async () => undefined)
    expect(shown()).toBe('one')
    render('two', async () => undefined)
    expect(shown()).toBe('two')
  })

  it('a failed save keeps the typed text, shows the error and sends it again on the next flush', async () => {
    let fail = true
    const saved: string[] = []
    const save = vi.fn(async (v: string) => {
      if (fail) throw new Error('disk full')
      saved.push(v)
    })
    render('server text', save)
    act(() => field().change('my careful edit'))
    await act(async () => void vi.advanceTimersByTime(400))
    expect(save).toHaveBeenCalledTimes(1)
    expect(field().state).toBe('error')
    expect(shown()).toBe('my careful edit')

    // a refresh from the server (another edit, a refetch) must not wipe the unsaved text
    render('something newer on the server', save)
    expect(shown()).toBe('my careful edit')

    fail = false
    await act(() => field().flush())
    expect(saved).toEqual(['my careful edit'])
    expect(field().state).toBe('saved')
  })

  it('one save at a time: an edit made while a save is in flight is sent after it', async () => {
    const order: string[] = []
    let release: () => void = () => undefined
    const save = vi.fn(
      (v: string) =>
        new Promise<void>((done) => {
          order.push(`start ${v}`)
          release = () => {
            order.push(`end ${v}`)
            done()
          }
        })
    )
    render('', save)
    act(() => field().change('first'))
    await act(async () => void vi.advanceTimersByTime(400))
    act(() => field().change('second'))
    const flushing = field().flush()
    expect(order).toEqual(['start first'])
    await act(async () => release())
    await act(async () => release())
    await act(() => flushing)
    expect(order).toEqual(['start first', 'end first', 'start second', 'end second'])
    expect(field().state).toBe('saved')
  })
})
