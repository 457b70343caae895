import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Command } from 'commander'
import type { Core } from '../core'
import { GlossaError, isApiError } from '../shared/errors'
import { defaultDataDir } from '../shared/paths'

/** Options every command accepts (declared on the root program, usable after the command too). */
export interface GlobalOptions {
  library?: string
  json?: boolean
  as?: string
  /** the command being run ('glossa import', 'glossa models ls'): named to other processes */
  command?: string
}

export function globalOptions(cmd: Command): GlobalOptions {
  const names: string[] = []
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name())
  return { ...cmd.optsWithGlobals<GlobalOptions>(), command: ['glossa', ...names].join(' ') }
}

/**
 * Where output goes. With `--json` stdout carries exactly one JSON object, written when the
 * command ends; human text, notes and progress go to stderr. Without it, the command's result is
 * human text on stdout and notes go to stderr.
 */
export class Output {
  private emitted = false
  constructor(readonly json: boolean) {}

  /** The command's human-readable result (stdout; suppressed with --json). */
  print(text: string): void {
    if (!this.json) process.stdout.write(text.endsWith('\n') ? text : text + '\n')
  }

  /** Notes, summaries and warnings: always stderr. */
  note(text: string): void {
    process.stderr.write(text.endsWith('\n') ? text : text + '\n')
  }

  /** The one JSON object of a --json run. */
  async result(value: unknown): Promise<void> {
    if (!this.json || this.emitted) return
    this.emitted = true
    await writeAll(process.stdout, JSON.stringify(value) + '\n')
  }
}

export function writeAll(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(text, (err) => (err ? reject(err) : resolve()))
  })
}

export function resolveLibraryFile(opts: GlobalOptions): { dataDir: string; libraryFile: string } {
  if (opts.library) {
    const libraryFile = path.resolve(opts.library)
    return { dataDir: path.dirname(libraryFile), libraryFile }
  }
  const dataDir = defaultDataDir({
    platform: process.platform,
    env: process.env,
    home: os.homedir()
  })
  return { dataDir, libraryFile: path.join(dataDir, 'library.sqlite') }
}

export interface OpenOptions {
  /** create the library when it does not exist yet (import, serve); otherwise refuse */
  create?: boolean
  /** resume jobs a killed process left interrupted (serve does, like the app) */
  resumeInterrupted?: boolean
  /**
   * a read command (datasets, ls, stats, models ls, glossary export, dry runs): the library is
   * opened read-only and nothing is written, not even on close
   */
  readonly?: boolean
}

/**
 * Opens the library named by the global options. The core (SQLite, sharp) is loaded on demand so
 * `--help` and usage errors answer without loading native modules.
 */
export async function openCore(opts: GlobalOptions, open: OpenOptions = {}): Promise<Core> {
  const { dataDir, libraryFile } = resolveLibraryFile(opts)
  if (!open.create && !fs.existsSync(libraryFile)) {
    throw new GlossaError(
      'NOT_FOUND',
      `${libraryFile}: no library there yet (run "glossa import <dir>" to create one, or pass --library <file>)`,
      { file: libraryFile }
    )
  }
  // The core runs in its own thread (core/host), as in the app and browser mode.
  const { startCore } = await import('../core/host/client')
  return startCore({
    dataDir,
    libraryFile,
    actor: opts.as?.trim() || undefined,
    resumeInterrupted: open.resumeInterrupted,
    readonly: open.readonly,
    processLabel: opts.command ?? 'glossa'
  })
}

/** Runs `fn` with an open core and closes it afterwards, whatever happens. */
export async function withCore<T>(
  opts: GlobalOptions,
  fn: (core: Core) => Promise<T>,
  open: OpenOptions = {}
): Promise<T> {
  const core = await openCore(opts, open)
  let result: T
  try {
    result = await fn(core)
  } catch (err) {
    await core.close().catch(() => undefined)
    throw err
  }
  // The command's work is done (and its answer may be printed): closing is housekeeping and
  // never turns a success into a failure.
  try {
    await core.close()
  } catch (err) {
    process.stderr.write(
      `glossa: warning: closing ${core.libraryFile}: ${err instanceof Error ? err.message : String(err)}\n`
    )
  }
  return result
}

/** withCore for a read command: the library is opened read-only and nothing is ever written. */
export function withReadCore<T>(opts: GlobalOptions, fn: (core: Core) => Promise<T>): Promise<T> {
  return withCore(opts, fn, { readonly: true })
}

/** Looks a dataset up by name; a missing one is a handled error naming the library. */
export async function datasetIdByName(core: Core, name: string): Promise<number> {
  try {
    const ds = await core.call('datasets.get', { name })
    return ds.id
  } catch (err) {
    if (isApiError(err) && err.code === 'NOT_FOUND') {
      throw new GlossaError('NOT_FOUND', `${core.libraryFile}: no dataset named "${name}"`, {
        file: core.libraryFile,
        dataset: name
      })
    }
    throw err
  }
}

export async function optionalDatasetId(core: Core, name?: string): Promise<number | undefined> {
  return name === undefined ? undefined : datasetIdByName(core, name)
}

/** Exit statuses: 0 success, 1 handled error, 2 bad usage, 130 interrupted by Ctrl-C. */
export const EXIT = { ok: 0, error: 1, usage: 2, interrupted: 130 } as const

/** What a command action returns: nothing (success) or an exit status. */
export type ActionResult = number | void

/** Shared state between the program and its actions: the --json flag once parsed. */
export interface CliState {
  output: Output
  exitCode: number
}

/** Wraps an action so its returned exit status reaches `state.exitCode`. */
export function action<A extends unknown[]>(
  state: CliState,
  fn: (...args: A) => Promise<ActionResult>
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const code = await fn(...args)
    if (typeof code === 'number') state.exitCode = code
  }
}
