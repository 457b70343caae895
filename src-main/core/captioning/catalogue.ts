/**
 * The curated download catalogue (resources/models-catalogue.json), validated, and the rule for
 * which files transformers.js 4.3.1 opens for a chat VLM at a given dtype
 * (models/session_config.js, utils/model-loader.js, utils/dtypes.js; /work/notes/vlm-fixtures.md):
 *  - config.json; preprocessor_config.json, tokenizer.json, tokenizer_config.json (AutoProcessor);
 *  - processor_config.json for the processors that read it (Idefics3/SmolVLM, Llava, Gemma 3);
 *  - the three sessions of an image-text-to-text model, `onnx/<session><suffix>.onnx`, with the
 *    dtype's suffix (fp32 none, fp16 _fp16, q8 _quantized, q4 _q4, …);
 *  - optional: generation_config.json, each session's external data `<file>.onnx_data*` (needed
 *    when published), and the chat template files Glossa reads when tokenizer_config.json has none.
 * vocab.json, merges.txt, added_tokens.json, *.safetensors and the rest are never opened, so the
 * catalogue does not download them. A download plan checks `required` against the repo listing
 * before anything is fetched.
 */
import { z } from 'zod'
import type { CatalogueEntry } from '../../shared/api'
import { MODEL_KINDS } from '../../shared/api'
import catalogueJson from '../../../resources/models-catalogue.json' with { type: 'json' }
import type { GenerativeSpec } from './inference/protocol'
import { NEEDS_PROCESSOR_CONFIG } from './inference/vlm-config'

export type Dtype = NonNullable<GenerativeSpec['dtype']>

/** transformers.js 4.3.1 DEFAULT_DTYPE_SUFFIX_MAPPING (the dtypes Glossa accepts). */
export const DTYPE_SUFFIX: Readonly<Record<Dtype, string>> = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4'
}
export const DTYPES = Object.keys(DTYPE_SUFFIX) as Dtype[]

/** The ONNX sessions of transformers.js's ImageTextToText session type. */
export const CHAT_VLM_SESSIONS = ['embed_tokens', 'vision_encoder', 'decoder_model_merged'] as const

/** What transformers.js opens for a chat VLM of `modelType` at `dtype`. */
export function chatVlmFiles(
  modelType: string,
  dtype: Dtype
): { required: string[]; optional: string[] } {
  const s = DTYPE_SUFFIX[dtype]
  const onnx = CHAT_VLM_SESSIONS.map((n) => `onnx/${n}${s}.onnx`)
  return {
    required: [
      'config.json',
      'preprocessor_config.json',
      ...(NEEDS_PROCESSOR_CONFIG.has(modelType) ? ['processor_config.json'] : []),
      'tokenizer.json',
      'tokenizer_config.json',
      ...onnx
    ],
    optional: [
      'generation_config.json',
      'chat_template.jinja',
      'chat_template.json',
      ...onnx.map((f) => `${f}_data*`)
    ]
  }
}

const CatalogueSchema = z.object({
  version: z.number(),
  note: z.string().optional(),
  models: z.array(
    z
      .object({
        repoId: z.string().regex(/^[\w.-]+\/[\w.-]+$/),
        name: z.string().min(1),
        kind: z.enum(MODEL_KINDS),
        sizeBytes: z.number().int().positive(),
        sizeApproximate: z.boolean(),
        licence: z.string().min(1),
        goodAt: z.string().min(1),
        languages: z.array(z.string()),
        /** repo paths (globs) fetched */
        include: z.array(z.string().min(1)).min(1),
        /** exact paths the repo must have (checked by the plan before downloading) */
        required: z.array(z.string().min(1)).optional(),
        modelType: z.string().optional(),
        dtype: z.enum(DTYPES as [Dtype, ...Dtype[]]).optional(),
        notes: z.string().optional()
      })
      .strict()
  )
})

/** The curated catalogue, validated. */
export function catalogue(): CatalogueEntry[] {
  return CatalogueSchema.parse(catalogueJson).models
}

export function catalogueEntry(repoId: string): CatalogueEntry | undefined {
  return catalogue().find((c) => c.repoId === repoId)
}
