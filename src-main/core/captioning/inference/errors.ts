import { GlossaError } from '../../../shared/errors'

/**
 * A model file or folder that cannot be used. The message always starts with the offending
 * file's path; `details` carries `{ file, reason }` for the UI.
 */
export class ModelError extends GlossaError {
  readonly file: string
  constructor(file: string, reason: string) {
    super('INVALID_ARGS', `${file} ${reason}`, { file, reason })
    this.name = 'ModelError'
    this.file = file
  }
}

/** The inference host died (crash, exit, out of memory) while a call was pending. */
export class HostCrashError extends GlossaError {
  constructor(reason: string) {
    super('INTERNAL', `the inference host stopped: ${reason}; it restarts on the next call`, {
      reason
    })
    this.name = 'HostCrashError'
  }
}
