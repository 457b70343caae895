/**
 * The stored definition of an OpenAI-compatible captioning endpoint (vLLM, SGLang, Ollama,
 * LM Studio, llama.cpp's llama-server, a hosted API). An endpoint is a model like any other; this
 * is what `glossa models endpoint add` and the Models page write to the library.
 *
 * The API key is NEVER part of a definition: `keyEnv` names the environment variable that holds
 * it (the desktop app may instead keep it with Electron's safeStorage, outside the library). A
 * definition that carries a key (`apiKey`, `key`, `api_key`, a secret-looking header, a URL with
 * `user:password@` or a query string) is refused with a sentence saying where keys go.
 *
 * Base URL normalisation (`normaliseBaseUrl`): the stored `url` is the base that `/models` and
 * `/chat/completions` are appended to.
 *  - trailing slashes are dropped, and so is a pasted `/chat/completions` or `/models` suffix;
 *  - a URL with NO path gets `/v1` (`http://localhost:11434` → `http://localhost:11434/v1`), which
 *    is where vLLM, SGLang, Ollama, LM Studio and llama-server all serve the API;
 *  - any other path is kept verbatim, so hosted APIs whose base is not `/v1` work
 *    (`https://openrouter.ai/api/v1`, `https://generativelanguage.googleapis.com/v1beta/openai`).
 * This module imports zod only: it is part of the contract (the studio imports it too).
 */
import { z } from 'zod'

/** Environment variable names as POSIX shells write them (upper case, digits, underscore). */
export const ENV_VAR_RE = /^[A-Z_][A-Z0-9_]*$/

/**
 * Endpoint names appear in caption provenance `endpoint:<name>:<model>:<preset>`, so they hold no
 * colon (model names may: `qwen2.5vl:7b`); parse provenance as name = first field, preset = last.
 */
export const ENDPOINT_NAME_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/

/** Headers Glossa sets itself or that carry credentials: never stored in `headers`. */
const RESERVED_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'api-key',
  'x-api-key',
  'content-type',
  'content-length',
  'accept',
  'host',
  'connection',
  'transfer-encoding'
])
const SECRET_HEADER_RE = /auth|key|token|secret|cookie|passw|session|signature/i
const HEADER_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/

export class BaseUrlError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'BaseUrlError'
  }
}

/** The base URL requests go to (see the module comment); throws BaseUrlError with a sentence. */
export function normaliseBaseUrl(input: string): string {
  const raw = input.trim()
  let u: URL
  try {
    u = new URL(raw)
  } catch {
    throw new BaseUrlError(
      `"${raw.slice(0, 200)}" is not a URL; write it like http://localhost:8000/v1`
    )
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new BaseUrlError(`the URL must start with http:// or https://, not ${u.protocol}//`)
  if (u.username || u.password)
    throw new BaseUrlError(
      'the URL must not contain a user name or password; put the API key in an environment variable (--key-env)'
    )
  if (u.search || u.hash)
    throw new BaseUrlError(
      'the URL must not contain a query string or fragment (keys never go in the URL; use --key-env)'
    )
  let p = u.pathname.replace(/\/+$/, '')
  p = p.replace(/\/(chat\/completions|completions|models)$/i, '')
  if (p === '') p = '/v1'
  return `${u.origin}${p}`
}

/** "host:port" of a base URL, for messages (never includes a path, query or credentials). */
export function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host
  } catch {
    return baseUrl
  }
}

const keyNotHere = (field: string): string =>
  `an endpoint never stores its API key ("${field}"): name the environment variable that holds it in keyEnv (--key-env)`

const HeadersSchema = z
  .record(z.string().regex(HEADER_NAME_RE, 'not a valid header name'), z.string().max(1000))
  .superRefine((h, ctx) => {
    for (const name of Object.keys(h)) {
      const lower = name.toLowerCase()
      if (RESERVED_HEADERS.has(lower) || SECRET_HEADER_RE.test(lower))
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: RESERVED_HEADERS.has(lower)
            ? `the header ${name} is set by Glossa (keys come from keyEnv, never from stored headers)`
            : `the header ${name} looks like a credential; keys come from an environment variable (keyEnv), never from stored headers`
        })
    }
    if (Object.keys(h).length > 16)
      ctx.addIssue({ code: 'custom', message: 'at most 16 extra headers' })
  })

export const EndpointDefinition = z
  .object({
    /** the model id in the registry (and in provenance) */
    name: z
      .string()
      .trim()
      .regex(
        ENDPOINT_NAME_RE,
        'use lowercase letters, digits, dots, dashes and underscores (no colon), at most 64'
      ),
    /** base URL; stored normalised (see normaliseBaseUrl) */
    url: z
      .string()
      .trim()
      .min(1)
      .max(2000)
      .transform((s, ctx) => {
        try {
          return normaliseBaseUrl(s)
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: (err as Error).message })
          return z.NEVER
        }
      }),
    /** the server's model name, sent as `model` (e.g. Qwen/Qwen2.5-VL-7B-Instruct, qwen2.5vl:7b) */
    model: z.string().trim().min(1).max(300),
    /** the environment variable holding the API key; none = no Authorization header */
    keyEnv: z
      .string()
      .max(128)
      .regex(ENV_VAR_RE, 'an environment variable name like GLOSSA_VLLM_KEY')
      .optional(),
    /** how the key is sent: `Authorization: Bearer <key>` (OpenAI, vLLM --api-key, most hosts),
     *  `api-key: <key>` (Azure OpenAI) or `x-api-key: <key>` (some gateways) */
    keyHeader: z.enum(['authorization', 'api-key', 'x-api-key']).default('authorization'),
    /** requests in flight at once */
    concurrency: z.number().int().min(1).max(64).default(4),
    /** the image's longest side in pixels after resizing (never enlarged) */
    maxSide: z.number().int().min(64).max(4096).default(1024),
    /** how the image is re-encoded (see image.ts): auto = JPEG, or PNG for lossless sources
     *  when PNG is not larger */
    imageFormat: z.enum(['auto', 'jpeg', 'png']).default('auto'),
    /** one attempt's whole time budget (connect, queueing, generation, body). Capped at 300 s:
     *  Node's fetch drops a response whose headers take longer; use stream for longer answers */
    timeoutMs: z.number().int().min(1000).max(300_000).default(120_000),
    /** streaming only: longest silence allowed before the headers and between two chunks */
    idleTimeoutMs: z.number().int().min(1000).max(300_000).default(60_000),
    /** ask for server-sent events (`stream: true`) */
    stream: z.boolean().default(false),
    /** the token limit's field: max_tokens (vLLM, SGLang, Ollama, llama.cpp, LM Studio) or
     *  max_completion_tokens (OpenAI's reasoning models refuse max_tokens) */
    maxTokensField: z.enum(['max_tokens', 'max_completion_tokens']).default('max_tokens'),
    /** extra non-secret headers (e.g. HTTP-Referer / X-Title for OpenRouter) */
    headers: HeadersSchema.optional(),
    // never stored: refused with a sentence rather than "unrecognized key"
    apiKey: z.never({ error: keyNotHere('apiKey') }).optional(),
    api_key: z.never({ error: keyNotHere('api_key') }).optional(),
    key: z.never({ error: keyNotHere('key') }).optional()
  })
  .strict()
  .transform(({ apiKey: _a, api_key: _b, key: _c, ...def }) => def)

/** A validated, normalised endpoint definition (what the library stores). */
export type EndpointDefinition = z.infer<typeof EndpointDefinition>
/** What a caller may pass (defaults not yet applied, url not yet normalised). */
export type EndpointDefinitionInput = z.input<typeof EndpointDefinition>

/** Validates and normalises a definition; throws a ZodError whose issues read as sentences. */
export function parseEndpointDefinition(input: unknown): EndpointDefinition {
  return EndpointDefinition.parse(input)
}
