import { memo, useEffect, useMemo, useState } from 'react'
import type { CSSProperties, ReactNode, RefObject } from 'react'
import { flexRender, getCoreRowModel, useReactTable } from '@tanstack/react-table'
import type { ColumnDef, OnChangeFn, SortingState } from '@tanstack/react-table'
import { useVirtualizer } from '@tanstack/react-virtual'
import { useTranslation } from 'react-i18next'
import type { TFunction } from 'i18next'
import type { ImageRow, SortKey } from '@shared/api'

export const ROW_H = 52
const HEADER_H = 34
/** Fetch the next page when the rows drawn come this close to the end of what is loaded. */
const PREFETCH_ROWS = 80
/**
 * A row's thumbnail is requested only once the row has stayed on screen this long, so a fast
 * scroll through thousands of rows does not fire (and then abandon) thousands of image requests.
 */
const THUMB_DELAY_MS = 120

/** Grid column id → server sort key (columns without one are not sortable). */
export const SORT_KEY_OF: Record<string, SortKey> = {
  fileName: 'name',
  concept: 'folder',
  status: 'status',
  size: 'width'
}

/** Column widths; their minimums add up to the grid's min-width (grid.css), so none is cut. */
const TEMPLATE =
  '32px 56px minmax(120px, 1.1fr) minmax(64px, 0.5fr) minmax(130px, 2fr) minmax(130px, 2fr) minmax(80px, 0.9fr) 100px 82px'

/** No rows for TanStack Table: it only models the header (columns, sorting); see TableBody. */
const NO_ROWS: ImageRow[] = []

/**
 * Rows are fixed-size boxes: with size/layout/paint containment a row's layout and paint never
 * reach outside it, so drawing the rows that scroll in costs the same at row 10 as at row 100,000.
 */
const ROW_STYLE: CSSProperties = { contain: 'strict' }

interface Column {
  id: string
  header: (t: TFunction) => ReactNode
  cell: (r: ImageRow, t: TFunction) => ReactNode
}

function Thumb({ row }: { row: ImageRow }): ReactNode {
  const [show, setShow] = useState(false)
  useEffect(() => {
    const timer = setTimeout(() => setShow(true), THUMB_DELAY_MS)
    return () => clearTimeout(timer)
  }, [])
  if (row.error)
    return (
      <div className="thumb thumb-error" title={row.error}>
        !
      </div>
    )
  if (!show) return <div className="thumb" />
  return (
    <img
      className="thumb"
      src={`media/thumb/${row.id}`}
      decoding="async"
      alt=""
      draggable={false}
    />
  )
}

/** What a row click means for the multi-selection (see hooks/useSelection.ts). */
export interface RowClickMods {
  shift: boolean
  /** Ctrl/Cmd-click, or a click on the row's checkbox */
  toggle: boolean
}

/** The grid's columns: header and cell renderers; plain functions, no hooks per cell. */
const COLUMNS: Column[] = [
  {
    // the multi-selection's checkbox; drawn by GridRow from its `checked` flag
    id: 'check',
    header: () => null,
    cell: () => null
  },
  {
    id: 'thumb',
    header: (t) => <span className="sr-only">{t('grid.thumb')}</span>,
    cell: (r) => <Thumb row={r} />
  },
  {
    id: 'fileName',
    header: (t) => t('grid.fileName'),
    cell: (r, t) => (
      <span className="cell-name" title={r.relPath}>
        {r.fileName}
        {r.rawOnly && (
          <span className="badge badge-raw" title={t('grid.rawOnlyHint')} data-testid="raw-only">
            {t('grid.rawOnly')}
          </span>
        )}
      </span>
    )
  },
  { id: 'concept', header: (t) => t('grid.concept'), cell: (r) => r.concept },
  {
    id: 'zh',
    header: (t) => t('grid.zh'),
    cell: (r) => (
      <span className="clamp" lang="zh">
        {r.zh}
      </span>
    )
  },
  {
    id: 'en',
    header: (t) => t('grid.en'),
    cell: (r) => (
      <span className="clamp" lang="en">
        {r.en}
      </span>
    )
  },
  {
    id: 'tags',
    header: (t) => t('grid.tags'),
    cell: (r) => <span className="clamp muted">{r.tags.join(', ')}</span>
  },
  {
    id: 'status',
    header: (t) => t('grid.status'),
    cell: (r, t) => (
      <span className={`pill status-${r.status}`}>
        <i className={`dot status-bg-${r.status}`} />
        {t(`status.${r.status}`)}
      </span>
    )
  },
  {
    id: 'size',
    header: (t) => t('grid.size'),
    cell: (r) =>
      r.width && r.height ? (
        <span className="mono muted">
          {r.width}×{r.height}
        </span>
      ) : null
  }
]

function useHeaderColumns(): ColumnDef<ImageRow>[] {
  const { t, i18n } = useTranslation()
  return useMemo<ColumnDef<ImageRow>[]>(
    () =>
      COLUMNS.map((c) => {
        const sortable = c.id in SORT_KEY_OF
        return {
          id: c.id,
          header: () => c.header(t),
          enableSorting: sortable,
          // sortable columns need an accessor; with no rows it is never called
          ...(sortable ? { accessorFn: (r: ImageRow) => r.id, sortDescFirst: false } : {})
        }
      }),
    // i18n.language: headers re-render with the UI language
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [t, i18n.language]
  )
}

interface RowProps {
  row: ImageRow
  index: number
  top: number
  selected: boolean
  /** in the multi-selection (a cheap flag: memoised rows re-render only when it flips) */
  checked: boolean
  onSelect(id: number, mods: RowClickMods): void
  t: TFunction
  /** changes with the UI language, so memoised rows re-render their labels */
  lang: string
}

/** One row; memoised, so scrolling renders only the rows that come into view. */
const GridRow = memo(function GridRow({
  row,
  index,
  top,
  selected,
  checked,
  onSelect,
  t
}: RowProps) {
  return (
    <tr
      className={`grid-row ${selected ? 'selected' : ''} ${checked ? 'checked' : ''} ${row.error ? 'has-error' : ''}`}
      style={{ ...ROW_STYLE, transform: `translateY(${top}px)` }}
      onMouseDown={(e) => {
        if (e.button !== 0) return
        const onCheck = e.target instanceof Element && e.target.closest('.cell-check') !== null
        const toggle = onCheck || e.ctrlKey || e.metaKey
        // no text selection on Shift/Ctrl-click
        if (toggle || e.shiftKey) e.preventDefault()
        onSelect(row.id, { shift: e.shiftKey, toggle })
      }}
      aria-selected={selected}
      data-testid="grid-row"
      data-id={row.id}
      data-index={index}
      data-checked={checked}
    >
      {COLUMNS.map((c) => (
        <td key={c.id} className={`cell cell-${c.id}`}>
          {c.id === 'check' ? (
            <span
              className={`row-check ${checked ? 'on' : ''}`}
              role="checkbox"
              aria-checked={checked}
              aria-label={row.fileName}
              data-testid="row-check"
            />
          ) : (
            c.cell(row, t)
          )}
        </td>
      ))}
    </tr>
  )
})

interface BodyProps {
  rows: ImageRow[]
  scrollRef: RefObject<HTMLDivElement | null>
  selectedId: number | null
  isChecked(id: number): boolean
  onSelect(id: number, mods: RowClickMods): void
  hasNextPage: boolean
  fetchingNext: boolean
  fetchNextPage(): void
}

/** The virtualizer lives here, the lowest component, so scrolling re-renders only the body. */
function TableBody(p: BodyProps): ReactNode {
  const { rows, selectedId, isChecked, hasNextPage, fetchingNext, fetchNextPage } = p
  const { t, i18n } = useTranslation()
  // TanStack Virtual hands out unstable functions, so the React Compiler skips this component
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: rows.length,
    estimateSize: () => ROW_H,
    getScrollElement: () => p.scrollRef.current,
    overscan: 8,
    scrollMargin: HEADER_H,
    scrollPaddingStart: HEADER_H
  })
  const selectedIndex = useMemo(
    () => (selectedId == null ? -1 : rows.findIndex((r) => r.id === selectedId)),
    [rows, selectedId]
  )
  useEffect(() => {
    if (selectedIndex >= 0) virtualizer.scrollToIndex(selectedIndex, { align: 'auto' })
  }, [selectedIndex, virtualizer])

  const items = virtualizer.getVirtualItems()
  const lastIndex = items.length ? items[items.length - 1]!.index : -1
  // page on from the virtualizer's own range: no layout reads while scrolling
  useEffect(() => {
    if (hasNextPage && !fetchingNext && lastIndex >= rows.length - PREFETCH_ROWS) fetchNextPage()
  }, [lastIndex, rows.length, hasNextPage, fetchingNext, fetchNextPage])

  return (
    <tbody className="grid-body" style={{ height: virtualizer.getTotalSize() }}>
      {items.map((v) => {
        const row = rows[v.index]
        if (!row) return null
        return (
          <GridRow
            key={row.id}
            row={row}
            index={v.index}
            top={v.start - HEADER_H}
            selected={row.id === selectedId}
            checked={isChecked(row.id)}
            onSelect={p.onSelect}
            t={t}
            lang={i18n.language}
          />
        )
      })}
    </tbody>
  )
}

interface GridProps {
  rows: ImageRow[]
  sorting: SortingState
  onSortingChange: OnChangeFn<SortingState>
  selectedId: number | null
  onSelect(id: number, mods: RowClickMods): void
  /** the multi-selection (default: none) */
  isChecked?(id: number): boolean
  /** the header's select-all control, drawn in the checkbox column */
  headerCheck?: ReactNode
  scrollRef: RefObject<HTMLDivElement | null>
  hasNextPage: boolean
  fetchingNext: boolean
  fetchNextPage(): void
  loading: boolean
}

const NONE_CHECKED = (): boolean => false

export function Grid(p: GridProps): ReactNode {
  const { t } = useTranslation()
  const columns = useHeaderColumns()
  // TanStack Table models the header only (columns and sorting state); the body reads `rows`
  // directly, so loading another page never builds a table row model over everything loaded.
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({
    data: NO_ROWS,
    columns,
    state: { sorting: p.sorting },
    onSortingChange: p.onSortingChange,
    manualSorting: true,
    enableSortingRemoval: false,
    enableMultiSort: false,
    getCoreRowModel: getCoreRowModel()
  })

  return (
    <div
      className="grid-scroll"
      ref={p.scrollRef}
      tabIndex={0}
      data-testid="grid"
      style={{ ['--grid-template' as string]: TEMPLATE }}
    >
      <table className="grid-table" role="grid">
        <thead className="grid-head" style={{ height: HEADER_H }}>
          {table.getHeaderGroups().map((hg) => (
            <tr key={hg.id} className="grid-row grid-head-row">
              {hg.headers.map((h) => {
                const sortable = h.column.getCanSort()
                const dir = h.column.getIsSorted()
                return (
                  <th
                    key={h.id}
                    className={`cell cell-${h.column.id} ${sortable ? 'sortable' : ''}`}
                    aria-sort={
                      dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : undefined
                    }
                    onClick={sortable ? h.column.getToggleSortingHandler() : undefined}
                    tabIndex={sortable ? 0 : undefined}
                    onKeyDown={
                      sortable
                        ? (e) => {
                            if (e.key !== 'Enter' && e.key !== ' ') return
                            e.preventDefault()
                            h.column.toggleSorting()
                          }
                        : undefined
                    }
                    data-testid={`col-${h.column.id}`}
                  >
                    {h.column.id === 'check'
                      ? p.headerCheck
                      : flexRender(h.column.columnDef.header, h.getContext())}
                    {sortable && (
                      <span className="sort-ind">
                        {dir === 'asc' ? '▲' : dir === 'desc' ? '▼' : ''}
                      </span>
                    )}
                  </th>
                )
              })}
            </tr>
          ))}
        </thead>
        <TableBody
          rows={p.rows}
          scrollRef={p.scrollRef}
          selectedId={p.selectedId}
          isChecked={p.isChecked ?? NONE_CHECKED}
          onSelect={p.onSelect}
          hasNextPage={p.hasNextPage}
          fetchingNext={p.fetchingNext}
          fetchNextPage={p.fetchNextPage}
        />
      </table>
      {!p.loading && p.rows.length === 0 && <div className="grid-empty">{t('grid.empty')}</div>}
    </div>
  )
}
