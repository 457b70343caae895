import type { Command } from 'commander'
import type { Core } from '../core'
import type { ImageFilter, ImageRow, Page, ReviewStatus, Sort, SortKey } from '../shared/api'
import { action, globalOptions, optionalDatasetId, withReadCore, type CliState } from './runtime'
import { formatCount, table, truncate } from './format'
import { parseMissing, parsePositiveInt, parseSortKey, parseStatusList } from './options'

export interface FilterOptions {
  dataset?: string
  status?: ReviewStatus[]
  search?: string
  searchRaw?: boolean
  concept?: string
  missing?: 'zh' | 'en' | 'any'
  errors?: boolean
  hasText?: boolean
}

/** Builds the grid filter the options describe (the dataset name resolved to its id). */
export async function buildFilter(core: Core, o: FilterOptions): Promise<ImageFilter> {
  const filter: ImageFilter = {}
  const datasetId = await optionalDatasetId(core, o.dataset)
  if (datasetId !== undefined) filter.datasetId = datasetId
  if (o.status?.length) filter.status = o.status
  if (o.search?.trim()) filter.search = o.search.trim()
  if (o.searchRaw && filter.search) filter.searchRaw = true
  if (o.concept !== undefined) filter.concept = o.concept
  if (o.missing) filter.missing = o.missing
  if (o.errors) filter.hasError = true
  if (o.hasText !== undefined) filter.hasText = o.hasText
  return filter
}

/** Pages through the grid query by cursor; stops after `limit` rows. */
export async function* pageImages(
  core: Core,
  filter: ImageFilter,
  sort: Sort,
  limit = Infinity,
  onTotal?: (total: number | null) => void
): AsyncGenerator<ImageRow> {
  let cursor: string | null = null
  let seen = 0
  let first = true
  while (seen < limit) {
    const page: Page = await core.call('images.page', {
      filter,
      sort,
      cursor,
      limit: Math.min(500, limit - seen),
      withTotal: first
    })
    if (first) onTotal?.(page.total)
    first = false
    for (const row of page.rows) {
      if (seen >= limit) return
      seen++
      yield row
    }
    if (!page.nextCursor || !page.rows.length) return
    cursor = page.nextCursor
  }
}

interface LsOptions extends FilterOptions {
  limit?: number
  sort: SortKey
  desc?: boolean
}

export function registerLs(program: Command, state: CliState): void {
  program
    .command('ls')
    .description('list images with their status and captions')
    .option('--dataset <name>', 'only this dataset')
    .option('--status <status>', 'only these review statuses (comma-separated)', parseStatusList)
    .option(
      '--search <text>',
      'search zh, en, tags and file names: every word must match, "a phrase" stays one; 简/繁 and full/half width fold'
    )
    .option('--search-raw', 'the search also matches the raw imported caption')
    .option('--concept <name>', 'only this concept (kohya folder)')
    .option('--missing <lang>', 'only images lacking a caption: zh, en or any', parseMissing)
    .option('--errors', 'only files that failed import')
    .option('--has-text', 'only images with in-image text or a watermark (see caption --model ocr)')
    .option('--no-has-text', 'only images without in-image text or a watermark')
    .option('--limit <n>', 'at most this many images', parsePositiveInt)
    .option('--sort <key>', 'name, folder, added, status, width or height', parseSortKey, 'name')
    .option('--desc', 'sort descending')
    .action(
      action(state, async (opts: LsOptions, cmd: Command) => {
        const out = state.output
        const sort: Sort = { key: opts.sort, dir: opts.desc ? 'desc' : 'asc' }
        await withReadCore(globalOptions(cmd), async (core) => {
          const filter = await buildFilter(core, opts)
          let total: number | null = null
          const onTotal = (t: number | null) => {
            total = t
          }
          if (out.json) {
            const images: Record<string, unknown>[] = []
            for await (const row of pageImages(core, filter, sort, opts.limit, onTotal)) {
              const d = await core.call('images.get', { id: row.id })
              images.push({
                id: d.id,
                datasetId: d.datasetId,
                path: d.path,
                relPath: d.relPath,
                fileName: d.fileName,
                folder: d.folder,
                concept: d.concept,
                repeats: d.repeats,
                width: d.width,
                height: d.height,
                format: d.format,
                bytes: d.bytes,
                sha256: d.sha256,
                status: d.status,
                raw: d.raw,
                rawFile: d.rawFile,
                rawEncoding: d.rawEncoding,
                zh: d.captions.zh?.text ?? d.zh,
                en: d.captions.en?.text ?? d.en,
                // the structured in-image `text` field per language (OCR fills it), null if none
                text: {
                  zh: d.captions.zh?.fields?.text ?? null,
                  en: d.captions.en?.fields?.text ?? null
                },
                tags: d.tagRows.length ? d.tagRows.map((t) => t.tag) : d.tags,
                error: d.error
              })
            }
            await out.result({ total, count: images.length, images })
            return
          }
          const rows: string[][] = []
          for await (const r of pageImages(core, filter, sort, opts.limit, onTotal)) {
            const caption = r.error ? `ERROR: ${r.error}` : r.zh || r.en || ''
            rows.push([
              String(r.id),
              r.status,
              truncate(r.relPath, 48),
              r.concept,
              truncate(caption, 60)
            ])
          }
          if (rows.length)
            out.print(table(['id', 'status', 'file', 'concept', 'caption'], rows, [0]))
          const t: number | null = total
          out.note(
            `${formatCount(rows.length)} image${rows.length === 1 ? '' : 's'}` +
              (t !== null && t !== rows.length ? ` of ${formatCount(t)}` : '') +
              ` in ${core.libraryFile}`
          )
        })
      })
    )
}
