/**
 * The tiny chat-VLM fixtures (test/fixtures/models/make-qwen2vl.ts, make-smolvlm.ts) run through
 * @huggingface/transformers exactly as a real chat VLM is run — AutoProcessor, the chat template
 * with one image and the prompt, AutoModelForImageTextToText.generate, the new tokens decoded —
 * and through Glossa's own generative module (kind 'chat-vlm'). Offline: local folders only.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import * as HF from '@huggingface/transformers'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ModelError } from '../../src-main/core/captioning/inference/errors'
import { decodeForGenerative, type DecodedImage } from '../../src-main/core/captioning/generate'
import {
  caption,
  GenerativeLoadError,
  releaseGenerative
} from '../../src-main/core/captioning/inference/generative'
import { inspectModelFolder } from '../../src-main/core/captioning/inference/models'
import {
  BUILTIN_PRESETS,
  parseStructuredCaption,
  renderPrompt
} from '../../src-main/core/captioning/presets'
import type { GenerativeSpec } from '../../src-main/core/captioning/inference/protocol'
import { makeQwen2VL, QWEN_IMAGE_TOKEN } from '../fixtures/models/make-qwen2vl'
import {
  makeSmolVLM,
  SMOLVLM_IMAGE_SEQ_LEN,
  SMOLVLM_IMAGE_TOKEN
} from '../fixtures/models/make-smolvlm'
import type { VlmDefect } from '../fixtures/models/vlm-common'

type Colour = 'red' | 'green' | 'blue'
const COLOURS: Colour[] = ['red', 'green', 'blue']
const ZH: Record<Colour, string> = { red: '红色', green: '绿色', blue: '蓝色' }
const PROMPTS = {
  en: 'Please describe the content of this image',
  zh: '描述这张图片',
  know: '根据提示词“广州塔”,描述这张图片'
} as const
type PromptKey = keyof typeof PROMPTS
const CAPTION: Record<PromptKey, (c: Colour) => string> = {
  en: (c) => `a ${c} image`,
  zh: (c) => `一张${ZH[c]}的图片`,
  know: (c) => `${ZH[c]}的广州塔`
}
/** tokens of each caption, its end-of-turn token included */
const CAPTION_TOKENS: Record<PromptKey, number> = { en: 4, zh: 5, know: 4 }

interface ChatProcessor {
  (...args: unknown[]): Promise<Record<string, HF.Tensor>>
  apply_chat_template(messages: unknown, opts: Record<string, unknown>): string
  batch_decode(ids: HF.Tensor, opts: Record<string, unknown>): string[]
  tokenizer: {
    decode(ids: bigint[], opts: Record<string, unknown>): string
    convert_tokens_to_ids(tokens: string[]): number[]
  }
}
interface ChatModel {
  sessions: Record<string, unknown>
  generate(args: Record<string, unknown>): Promise<HF.Tensor>
  dispose(): Promise<unknown>
}

interface Family {
  name: string
  make: (dir: string) => Promise<string>
  processorClass: string
  modelClass: string
  imageToken: string
  endToken: string
  /** the chat template's output for one image + the prompt, with the generation prompt */
  rendered: (prompt: string) => string
  /** the same after the processor expanded the image placeholder for a 64×48 image */
  expanded: (prompt: string) => string
  imageTokens: number
  /** what batch_decode gives for the English caption (SmolVLM answers start with a space) */
  rawEnglish: (c: Colour) => string
}

const qwenRendered = (system: boolean) => (prompt: string) =>
  (system ? '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' : '') +
  `<|im_start|>user\n<|vision_start|>${QWEN_IMAGE_TOKEN}<|vision_end|>${prompt}<|im_end|>\n` +
  '<|im_start|>assistant\n'
// smart_resize (max_pixels 128, factor 4): 64×48 → 12×8 px → 6×4 patches of 2 px → 6 tokens
const qwenFamily = (
  name: 'qwen2_vl' | 'qwen2_5_vl' | 'qwen3_vl',
  prefix: 'Qwen2VL' | 'Qwen2_5_VL' | 'Qwen3VL'
): Family => ({
  name,
  make: (dir) => makeQwen2VL(dir, { modelType: name }),
  processorClass: `${prefix}Processor`,
  modelClass: `${prefix}ForConditionalGeneration`,
  imageToken: QWEN_IMAGE_TOKEN,
  endToken: '<|im_end|>',
  rendered: qwenRendered(name !== 'qwen3_vl'),
  expanded: (prompt) =>
    qwenRendered(name !== 'qwen3_vl')(prompt).replace(QWEN_IMAGE_TOKEN, QWEN_IMAGE_TOKEN.repeat(6)),
  imageTokens: 6,
  rawEnglish: CAPTION.en
})
// 64×48 → longest edge 32 (32×24) → 32×32 → 2×2 tiles of 16 + the global image, 4 tokens each
const smolTile = (r: number, c: number): string =>
  `<fake_token_around_image><row_${r}_col_${c}>` + SMOLVLM_IMAGE_TOKEN.repeat(SMOLVLM_IMAGE_SEQ_LEN)
const smolRendered = (prompt: string): string =>
  `<|im_start|>User:${SMOLVLM_IMAGE_TOKEN}${prompt}<end_of_utterance>\nAssistant:`
const smolFamily = (name: 'smolvlm' | 'idefics3', prefix: string): Family => ({
  name,
  make: (dir) => makeSmolVLM(dir, { modelType: name }),
  processorClass: 'Idefics3Processor', // transformers.js exports SmolVLMProcessor as this class
  modelClass: `${prefix}ForConditionalGeneration`,
  imageToken: SMOLVLM_IMAGE_TOKEN,
  endToken: '<end_of_utterance>',
  rendered: smolRendered,
  expanded: (prompt) =>
    smolRendered(prompt).replace(
      SMOLVLM_IMAGE_TOKEN,
      `${smolTile(1, 1)}${smolTile(1, 2)}\n${smolTile(2, 1)}${smolTile(2, 2)}\n` +
        '\n<fake_token_around_image><global-img>' +
        SMOLVLM_IMAGE_TOKEN.repeat(SMOLVLM_IMAGE_SEQ_LEN) +
        '<fake_token_around_image>'
    ),
  imageTokens: 5 * SMOLVLM_IMAGE_SEQ_LEN,
  rawEnglish: (c) => ` ${CAPTION.en(c)}`
})

const FAMILIES: Family[] = [
  qwenFamily('qwen2_vl', 'Qwen2VL'),
  qwenFamily('qwen2_5_vl', 'Qwen2_5_VL'),
  qwenFamily('qwen3_vl', 'Qwen3VL'),
  smolFamily('smolvlm', 'SmolVLM'),
  smolFamily('idefics3', 'Idefics3')
]

let root: string
const images = {} as Record<Colour | 'olive', DecodedImage>
const files = {} as Record<Colour | 'olive', string>

const rawImage = (img: DecodedImage): HF.RawImage =>
  new HF.RawImage(
    new Uint8ClampedArray(img.pixels.buffer, img.pixels.byteOffset, img.pixels.byteLength),
    img.width,
    img.height,
    3
  )
const messages = (prompt: string) => [
  { role: 'user', content: [{ type: 'image' }, { type: 'text', text: prompt }] }
]

async function open(name: string): Promise<{ processor: ChatProcessor; model: ChatModel }> {
  const processor = (await HF.AutoProcessor.from_pretrained(name)) as unknown as ChatProcessor
  const model = (await HF.AutoModelForImageTextToText.from_pretrained(name, {
    dtype: 'fp32',
    device: 'cpu'
  })) as unknown as ChatModel
  return { processor, model }
}

/** The chat-VLM recipe: template, processor (text first for these families), generate, decode. */
async function run(
  { processor, model }: { processor: ChatProcessor; model: ChatModel },
  image: DecodedImage,
  prompt: string,
  extra: Record<string, unknown> = { do_sample: false }
) {
  const text = processor.apply_chat_template(messages(prompt), { add_generation_prompt: true })
  const inputs = await processor(text, rawImage(image))
  const ids = await model.generate({ ...inputs, max_new_tokens: 12, ...extra })
  const promptLen = inputs.input_ids!.dims.at(-1)!
  const fresh = ids.slice(null, [promptLen, ids.dims.at(-1)!])
  const caption = processor.batch_decode(fresh, { skip_special_tokens: true })[0] ?? ''
  return { caption, newIds: (fresh.tolist() as bigint[][])[0]!.map(Number) }
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'glossa-vlm-'))
  HF.env.allowRemoteModels = false
  HF.env.allowLocalModels = true
  HF.env.localModelPath = root + path.sep
  const specs = {
    red: ['red.png', { r: 250, g: 10, b: 10 }],
    green: ['green.jpg', { r: 0, g: 220, b: 30 }],
    blue: ['blue.webp', { r: 20, g: 40, b: 240 }],
    olive: ['olive.png', { r: 128, g: 128, b: 0 }]
  } as const
  for (const [key, [name, background]] of Object.entries(specs)) {
    const file = path.join(root, name)
    await sharp({ create: { width: 64, height: 48, channels: 3, background } }).toFile(file)
    images[key as Colour] = await decodeForGenerative(file)
    files[key as Colour] = file
  }
  for (const f of FAMILIES) await f.make(path.join(root, f.name))
})

afterAll(async () => {
  await releaseGenerative()
  if (root) await rm(root, { recursive: true, force: true })
})

describe.each(FAMILIES)('$name fixture in transformers.js', (family) => {
  let loaded: { processor: ChatProcessor; model: ChatModel }
  beforeAll(async () => {
    loaded = await open(family.name)
  })
  afterAll(async () => {
    await loaded?.model.dispose()
  })

  it('loads through the Auto classes, with the three sessions of an image-text-to-text model', async () => {
    expect(loaded.processor.constructor.name).toBe(family.processorClass)
    expect(loaded.model.constructor.name).toBe(family.modelClass)
    expect(Object.keys(loaded.model.sessions).sort()).toEqual([
      'decoder_model_merged',
      'embed_tokens',
      'vision_encoder'
    ])
    const info = await inspectModelFolder(path.join(root, family.name))
    expect(info).toMatchObject({ kind: 'chat-vlm', modelType: family.name })
  })

  it('renders the chat template with the image placeholder where the family puts it', () => {
    for (const prompt of Object.values(PROMPTS)) {
      const text = loaded.processor.apply_chat_template(messages(prompt), {
        add_generation_prompt: true
      })
      expect(text).toBe(family.rendered(prompt))
    }
  })

  it('expands the placeholder into the image tokens in input_ids', async () => {
    const { processor } = loaded
    const text = processor.apply_chat_template(messages(PROMPTS.know), {
      add_generation_prompt: true
    })
    const inputs = await processor(text, rawImage(images.red))
    const ids = (inputs.input_ids!.tolist() as bigint[][])[0]!
    const [imageId] = processor.tokenizer.convert_tokens_to_ids([family.imageToken])
    expect(ids.filter((t) => Number(t) === imageId)).toHaveLength(family.imageTokens)
    expect(processor.tokenizer.decode(ids, { skip_special_tokens: false })).toBe(
      family.expanded(PROMPTS.know)
    )
    if (family.name.startsWith('qwen')) {
      // one contiguous run between <|vision_start|> and <|vision_end|>, the grid in image_grid_thw
      const first = ids.findIndex((t) => Number(t) === imageId)
      const run = ids.slice(first - 1, first + family.imageTokens + 1).map(Number)
      const [start, end] = processor.tokenizer.convert_tokens_to_ids([
        '<|vision_start|>',
        '<|vision_end|>'
      ])
      expect(run).toEqual([start, ...Array<number>(family.imageTokens).fill(imageId!), end])
      expect(inputs.image_grid_thw!.tolist()).toEqual([[1n, 4n, 6n]])
      expect(inputs.pixel_values!.dims).toEqual([24, 3 * 2 * 2 * 2])
    } else {
      expect(inputs.pixel_values!.dims).toEqual([1, 5, 3, 16, 16])
      expect(inputs.pixel_attention_mask!.dims).toEqual([1, 5, 16, 16])
    }
  })

  it('captions by the image colour, in the language and with the knowledge the prompt asks for', async () => {
    const endId = loaded.processor.tokenizer.convert_tokens_to_ids([family.endToken])[0]
    for (const colour of COLOURS) {
      for (const key of Object.keys(PROMPTS) as PromptKey[]) {
        const { caption: text, newIds } = await run(loaded, images[colour], PROMPTS[key])
        expect(text).toBe(key === 'en' ? family.rawEnglish(colour) : CAPTION[key](colour))
        // stopped on the end-of-turn token, nothing after it
        expect(newIds).toHaveLength(CAPTION_TOKENS[key])
        expect(newIds.at(-1)).toBe(endId)
      }
    }
  })

  it('answers in English when the prompt names neither language', async () => {
    expect((await run(loaded, images.blue, 'What is this?')).caption.trim()).toBe('a blue image')
  })

  it("gives the same captions through Glossa's generative module (kind chat-vlm)", async () => {
    const spec: GenerativeSpec = { dir: path.join(root, family.name), kind: 'chat-vlm' }
    const got: string[] = []
    for (const [colour, key] of [
      ['red', 'en'],
      ['green', 'zh'],
      ['blue', 'know']
    ] as const) {
      const res = await caption(spec, {
        file: files[colour],
        prompt: PROMPTS[key],
        decoding: { mode: 'greedy' },
        maxNewTokens: 16
      })
      expect(res.ep).toBe('cpu')
      // what reached the model: the chat template applied, the image tokens placed
      expect(res.rendered).toBe(family.rendered(PROMPTS[key]))
      expect(res.imageTokens).toBe(family.imageTokens)
      got.push(res.text)
    }
    expect(got).toEqual(['a red image', '一张绿色的图片', '蓝色的广州塔'])
  })

  it("answers Glossa's structured presets with a JSON object the preset parser reads", async () => {
    const spec: GenerativeSpec = { dir: path.join(root, family.name), kind: 'chat-vlm' }
    const ask = async (preset: string, colour: Colour, knowledge: string[] = []) => {
      const p = BUILTIN_PRESETS.find((x) => x.id === preset)!
      const res = await caption(spec, {
        file: files[colour],
        prompt: renderPrompt(p, { knowledge }),
        decoding: { mode: 'greedy' },
        maxNewTokens: 16
      })
      const parsed = parseStructuredCaption(res.text)
      if (!parsed.ok) throw new Error(`${res.text}: ${parsed.error}`)
      return parsed.fields
    }
    expect(await ask('structured-en', 'red')).toEqual({ subject: 'a red image' })
    expect(await ask('structured-zh', 'green')).toEqual({ subject: '一张绿色的图片' })
    expect(await ask('structured-zh', 'blue', ['广州塔'])).toEqual({ subject: '蓝色的广州塔' })
  })
})

describe("Qwen's shipped generation_config under sampling", () => {
  // olive: red and green tie, so a real sampler picks either; Qwen2-VL's generation_config.json
  // (copied by the fixture) sets top_k 1, which keeps sampling greedy unless top_k is overridden
  const sample = async (extra: Record<string, unknown>): Promise<Set<string>> => {
    const loaded = await open('qwen2_vl')
    const seen = new Set<string>()
    for (let seed = 1; seed <= 10; seed++) {
      HF.random.seed(seed)
      seen.add((await run(loaded, images.olive, PROMPTS.en, extra)).caption)
    }
    await loaded.model.dispose()
    return seen
  }

  it('stays greedy with do_sample alone, and samples once top_k is lifted', async () => {
    expect((await sample({ do_sample: true, temperature: 1 })).size).toBe(1)
    expect(await sample({ do_sample: true, temperature: 1, top_k: 0 })).toEqual(
      new Set(['a red image', 'a green image'])
    )
  })

  // Glossa's sample mode sets what the user left unset (temperature 1, top_k 0), so
  // generation_config.json's top_k 1 (Qwen) no longer keeps sampling greedy, and applies top-p
  // itself (transformers.js 4.3.1's TopPLogitsWarper is a stub that generate() does not use).
  const glossaSample = async (family: string, decoding: Record<string, number>) => {
    const seen = new Set<string>()
    for (let seed = 1; seed <= 10; seed++) {
      const res = await caption(
        { dir: path.join(root, family), kind: 'chat-vlm' },
        {
          file: files.olive,
          prompt: PROMPTS.en,
          decoding: { mode: 'sample', ...decoding, seed },
          maxNewTokens: 8
        }
      )
      seen.add(res.text)
    }
    return seen
  }

  it('Glossa sample mode samples a Qwen model when no top-k is set', async () => {
    expect(await glossaSample('qwen2_vl', { temperature: 1 })).toEqual(
      new Set(['a red image', 'a green image'])
    )
  })

  it('Glossa sample mode honours top-p', async () => {
    // SmolVLM ships no top_k; a 0.3 nucleus keeps only the likelier of the two tied colours
    expect((await glossaSample('smolvlm', { temperature: 1, topP: 0.3 })).size).toBe(1)
  })
})

describe('broken chat-VLM folders', () => {
  const cases: {
    defect: VlmDefect
    stage: 'load' | 'template' | 'generate'
    qwen: RegExp
    smolvlm: RegExp
    /** the file Glossa's load error names, and what it says */
    glossa: [file: string, message: RegExp]
  }[] = [
    {
      defect: 'no-chat-template',
      stage: 'template',
      glossa: ['tokenizer_config.json', /has no "chat_template", and the folder has no chat_tem/],
      qwen: /^Cannot use apply_chat_template\(\) because tokenizer\.chat_template is not set/,
      smolvlm: /^Cannot use apply_chat_template\(\) because tokenizer\.chat_template is not set/
    },
    {
      defect: 'wrong-model-type',
      stage: 'load',
      glossa: ['config.json', /declares a model type transformers\.js cannot caption with/],
      qwen: /^Unsupported model type: qwen2$/,
      smolvlm: /^Unsupported model type: llama$/
    },
    {
      // Qwen: get_rope_index finds <|vision_start|> but no image token after it and reads a
      // video grid that does not exist; SmolVLM: the feature merge counts the tokens
      defect: 'no-image-token',
      stage: 'generate',
      glossa: ['tokenizer.json', /the vocabulary has no image token/],
      qwen: /is not iterable/,
      smolvlm: /^Number of tokens and features do not match: tokens: 0, features 20$/
    },
    {
      defect: 'truncated-onnx',
      stage: 'load',
      glossa: [
        'onnx/decoder_model_merged.onnx',
        /cannot be loaded by onnxruntime \(Protobuf parsing failed — the file is damaged/
      ],
      qwen: /decoder_model_merged\.onnx failed:Protobuf parsing failed/,
      smolvlm: /decoder_model_merged\.onnx failed:Protobuf parsing failed/
    }
  ]

  describe.each(cases)('$defect', ({ defect, stage, qwen, smolvlm, glossa }) => {
    it.each([
      ['qwen', qwen],
      ['smolvlm', smolvlm]
    ] as const)('%s: transformers.js fails at the expected step', async (fam, message) => {
      const name = `${fam}-${defect}`
      const dir = path.join(root, name)
      await (fam === 'qwen' ? makeQwen2VL(dir, { defect }) : makeSmolVLM(dir, { defect }))
      let reached: 'load' | 'template' | 'generate' | 'done' = 'load'
      const opened: ChatModel[] = []
      const err = await (async () => {
        const loaded = await open(name)
        opened.push(loaded.model)
        reached = 'template'
        const text = loaded.processor.apply_chat_template(messages(PROMPTS.zh), {
          add_generation_prompt: true
        })
        const inputs = await loaded.processor(text, rawImage(images.red))
        reached = 'generate'
        await loaded.model.generate({ ...inputs, max_new_tokens: 4, do_sample: false })
        reached = 'done'
      })().catch((e: unknown) => e)
      for (const model of opened) await model.dispose()
      expect(reached).toBe(stage)
      expect((err as Error).message).toMatch(message)

      // the app's generative module finds every one of them while loading (its probe renders
      // the template and checks the image token), and names the file at fault
      const res = caption(
        { dir, kind: 'chat-vlm' },
        { file: files.red, prompt: PROMPTS.zh, decoding: { mode: 'greedy' }, maxNewTokens: 4 }
      )
      const err2 = (await res.catch((e: unknown) => e)) as GenerativeLoadError
      expect(err2).toBeInstanceOf(GenerativeLoadError)
      const file = path.join(dir, glossa[0])
      expect(err2.file).toBe(file)
      expect(err2.message.startsWith(file)).toBe(true)
      expect(err2.message).toMatch(glossa[1])
      // adding the folder already refuses it (nothing loaded), except a damaged ONNX file,
      // which only onnxruntime can tell
      if (defect === 'truncated-onnx') {
        await expect(inspectModelFolder(dir)).resolves.toMatchObject({ kind: 'chat-vlm' })
      } else {
        const e = (await inspectModelFolder(dir).catch((x: unknown) => x)) as ModelError
        expect(e).toBeInstanceOf(ModelError)
        expect(e.file).toBe(file)
      }
    })
  })
})
