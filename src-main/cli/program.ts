import { Command, CommanderError } from 'commander'
import { toApiError } from '../shared/errors'
import { EXIT, Output, type CliState } from './runtime'
import { registerImport } from './import'
import { registerDatasets } from './datasets'
import { registerLs } from './ls'
import { registerStats } from './stats'
import { registerHistory } from './history'
import { registerReview } from './review'
import { registerServe } from './serve'
import { registerGlossary } from './glossary'
import { registerCaption } from './caption'
import { registerModels } from './models'
import { registerCleanup } from './cleanup'
import { registerExport } from './export'
import { registerDupes } from './dupes'

export function createProgram(state: CliState): Command {
  const program = new Command('glossa')
  program
    .description('Glossa: bilingual (zh/en) text-to-image dataset studio, on the command line')
    .version(process.env.npm_package_version ?? '0.1.0', '-V, --version')
    .option('--library <file>', 'library file (default: library.sqlite in the user data folder)')
    .option('--json', 'print one JSON object on stdout when the command ends')
    .option('--as <name>', 'reviewer name recorded in the edit journal')
    .configureHelp({ showGlobalOptions: true })
    .exitOverride()
    .showHelpAfterError('(run "glossa help" or "glossa <command> --help" for usage)')
    .hook('preAction', (_this, action) => {
      const json = Boolean(action.optsWithGlobals<{ json?: boolean }>().json)
      state.output = new Output(json)
    })
  registerImport(program, state)
  registerDatasets(program, state)
  registerLs(program, state)
  registerStats(program, state)
  registerHistory(program, state)
  registerReview(program, state)
  registerGlossary(program, state)
  registerServe(program, state)
  registerCaption(program, state)
  registerModels(program, state)
  registerCleanup(program, state)
  registerExport(program, state)
  registerDupes(program, state)
  return program
}

/** Whether the command line asks for --json (also when parsing failed before the hook ran). */
function wantsJson(argv: string[]): boolean {
  const args = argv.slice(2)
  const end = args.indexOf('--')
  return (end < 0 ? args : args.slice(0, end)).includes('--json')
}

/** Parses argv (as in process.argv) and runs the command. Resolves to the exit status. */
export async function run(argv: string[]): Promise<number> {
  const state: CliState = { output: new Output(false), exitCode: EXIT.ok }
  const program = createProgram(state)
  try {
    await program.parseAsync(argv)
    return state.exitCode
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end with exit code 0; every other parse failure is bad usage.
      if (err.exitCode === 0) return EXIT.ok
      // commander printed the reason on stderr; a --json caller still gets its one object
      if (wantsJson(argv))
        await new Output(true).result({
          ok: false,
          error: { code: 'INVALID_ARGS', message: err.message.replace(/^error:\s*/, '') }
        })
      return EXIT.usage
    }
    const apiErr = toApiError(err)
    const known = apiErr.code !== 'INTERNAL'
    state.output.note(
      known
        ? `glossa: ${apiErr.message}${apiErr.code === 'INVALID_ARGS' ? '' : ` [${apiErr.code}]`}`
        : `glossa: internal error: ${apiErr.message}`
    )
    if (!known && err instanceof Error && err.stack && process.env.GLOSSA_DEBUG) {
      state.output.note(err.stack)
    }
    await state.output.result({ ok: false, error: apiErr })
    return EXIT.error
  }
}
