/**
 * OpenAI-compatible VLM endpoints as captioning models (issue 16). See each module's comment:
 * schema.ts (the stored definition), errors.ts (error kinds, which stop the job, key hygiene),
 * client.ts (the protocol), image.ts (what is sent), pool.ts (concurrency and back-off),
 * retry.ts (Retry-After and jitter), captioner.ts (all of it for one image at a time), keys.ts
 * (the desktop app's keychain-encrypted key file).
 */
export * from './schema'
export * from './errors'
export * from './client'
export * from './image'
export * from './pool'
export * from './retry'
export * from './captioner'
export * from './keys'
