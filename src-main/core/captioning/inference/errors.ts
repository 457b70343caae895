import { GlossaError } from '../../../shared/errors'

/**
 * A model file or folder that cannot be used. The message always starts with the offending
 * file's path; `details` carries `{ file, reason }` for the UI.
 */
export class ModelError extends GlossaError {
  readonly file: string
  constructor(file: string, reason: string) {
    // "<file> is missing …" or "<file>: the vocabulary …"
    super('INVALID_ARGS', reason.startsWith(':') ? `${file}${reason}` : `${file} ${reason}`, {
      file,
      reason: reason.replace(/^:\s*/, '')
    })
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

/** One image could not be read or prepared for the model; the model itself is fine. */
export class ImageError extends GlossaError {
  readonly file: string
  constructor(file: string, message: string) {
    super('IO_ERROR', message.startsWith(file) ? message : `${file}: ${message}`, { file })
    this.name = 'ImageError'
    this.file = file
  }
}
