import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ModelError } from '../../src-main/core/captioning/inference/errors'
import { inspectModelFolder } from '../../src-main/core/captioning/inference/models'

let root: string
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'glossa-models-'))
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

async function folder(name: string, files: Record<string, string>): Promise<string> {
  const dir = path.join(root, name)
  for (const [rel, text] of Object.entries(files)) {
    if (text === undefined) continue
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true })
    await writeFile(path.join(dir, rel), text)
  }
  await mkdir(dir, { recursive: true })
  return dir
}

/** A minimal chat-VLM folder inspection accepts (image token id 5). */
function chatVlm(modelType = 'qwen2_5_vl'): Record<string, string> {
  return {
    'config.json': JSON.stringify({ model_type: modelType, image_token_id: 5, text_config: {} }),
    'tokenizer.json': JSON.stringify({
      added_tokens: [{ id: 5, content: '<|image_pad|>' }],
      model: { vocab: {} }
    }),
    'tokenizer_config.json': JSON.stringify({ chat_template: '{{ messages }}' }),
    'preprocessor_config.json': JSON.stringify({ processor_class: 'Qwen2_5_VLProcessor' }),
    'processor_config.json': '{}',
    'onnx/embed_tokens.onnx': 'x',
    'onnx/vision_encoder.onnx': 'x',
    'onnx/decoder_model_merged.onnx': 'x'
  }
}

const errorOf = async (dir: string): Promise<ModelError> => {
  const err = await inspectModelFolder(dir).catch((e: unknown) => e)
  expect(err).toBeInstanceOf(ModelError)
  return err as ModelError
}

describe('inspectModelFolder (transformers.js folders)', () => {
  it('detects a vision-encoder-decoder as image-to-text', async () => {
    const dir = await folder('vit-gpt2', {
      'config.json': JSON.stringify({ model_type: 'vision-encoder-decoder' }),
      'tokenizer.json': '{}',
      'tokenizer_config.json': '{}',
      'preprocessor_config.json': '{}',
      'onnx/encoder_model.onnx': 'x',
      'onnx/decoder_model_merged.onnx': 'x',
      'onnx/decoder_model_merged_q4.onnx': 'x'
    })
    const info = await inspectModelFolder(dir)
    expect(info.kind).toBe('image-to-text')
    expect(info.modelType).toBe('vision-encoder-decoder')
    expect(info.files).toEqual([
      'config.json',
      'tokenizer.json',
      'tokenizer_config.json',
      'preprocessor_config.json',
      'onnx/encoder_model.onnx',
      'onnx/decoder_model_merged.onnx',
      'onnx/decoder_model_merged_q4.onnx'
    ])
  })

  it('detects Florence-2 and chat VLMs from model_type', async () => {
    const flo = await folder('florence', {
      'config.json': JSON.stringify({ model_type: 'florence2' }),
      'tokenizer.json': '{}',
      'tokenizer_config.json': '{}',
      'preprocessor_config.json': '{}',
      'onnx/embed_tokens_fp16.onnx': 'x',
      'onnx/vision_encoder_fp16.onnx': 'x',
      'onnx/encoder_model_fp16.onnx': 'x',
      'onnx/decoder_model_merged_fp16.onnx': 'x'
    })
    const info = await inspectModelFolder(flo)
    expect(info.kind).toBe('florence2')
    expect(info.warnings[0]).toMatch(/dtype/)
    const qwen = await folder('qwen', chatVlm())
    expect((await inspectModelFolder(qwen)).kind).toBe('chat-vlm')
  })

  it('checks what a chat VLM needs beyond its files, naming the file at fault', async () => {
    const at = async (name: string, files: Record<string, string>, file: string, msg: RegExp) => {
      const dir = await folder(name, files)
      const err = await errorOf(dir)
      expect(err.file).toBe(path.join(dir, file))
      expect(err.message).toMatch(msg)
    }
    const base = chatVlm()
    await at(
      'no-template',
      { ...base, 'tokenizer_config.json': '{}' },
      'tokenizer_config.json',
      /has no "chat_template", and the folder has no chat_template\.jinja/
    )
    // recent transformers keeps the template beside it: accepted
    const jinja = await folder('jinja', {
      ...base,
      'tokenizer_config.json': '{}',
      'chat_template.jinja': '{{ messages }}'
    })
    expect((await inspectModelFolder(jinja)).files).toContain('chat_template.jinja')
    await at(
      'no-processor-class',
      { ...base, 'preprocessor_config.json': '{}' },
      'preprocessor_config.json',
      /has no "processor_class"/
    )
    await at(
      'no-image-token',
      {
        ...base,
        'tokenizer.json': JSON.stringify({ added_tokens: [], model: { vocab: { a: 0 } } })
      },
      'tokenizer.json',
      /has no token with id 5, the image token config\.json names/
    )
    await at(
      'flat-config',
      { ...base, 'config.json': JSON.stringify({ model_type: 'qwen2_5_vl', image_token_id: 5 }) },
      'config.json',
      /has no "text_config"/
    )
    await at(
      'onevision',
      { ...base, 'config.json': JSON.stringify({ model_type: 'llava_onevision' }) },
      'config.json',
      /no processor for llava_onevision/
    )
    const smol = await folder('smol-no-processor-config', {
      ...chatVlm('smolvlm'),
      'processor_config.json': undefined as unknown as string
    })
    expect((await errorOf(smol)).message).toMatch(/missing processor_config\.json/)
  })

  it('lists every missing file (tokenizer.json, ONNX sessions)', async () => {
    const dir = await folder('no-tokenizer', {
      'config.json': JSON.stringify({ model_type: 'florence2' }),
      'onnx/encoder_model.onnx': 'x',
      'onnx/decoder_model_merged.onnx': 'x'
    })
    const err = await errorOf(dir)
    expect(err.message).toBe(
      `${dir} is a florence2 model (florence2) missing tokenizer.json, tokenizer_config.json, ` +
        'preprocessor_config.json, onnx/embed_tokens.onnx, onnx/vision_encoder.onnx'
    )
    const noOnnx = await folder('no-onnx', {
      'config.json': JSON.stringify({ model_type: 'vision-encoder-decoder' }),
      'tokenizer.json': '{}'
    })
    expect((await errorOf(noOnnx)).message).toMatch(/missing .*the onnx\/ folder/)
  })

  it('reports malformed or unsupported configs by file, never crashing', async () => {
    const bad = await folder('bad-json', { 'config.json': '{ "model_type": ' })
    expect((await errorOf(bad)).message).toMatch(/config\.json is not valid JSON/)
    const arr = await folder('array-json', { 'config.json': '[1,2]' })
    expect((await errorOf(arr)).message).toMatch(/config\.json is not a JSON object/)
    const bert = await folder('bert', { 'config.json': JSON.stringify({ model_type: 'bert' }) })
    expect((await errorOf(bert)).message).toMatch(/model_type "bert", which Glossa cannot caption/)
    const tok = await folder('bad-tokenizer', {
      'config.json': JSON.stringify({ model_type: 'vision-encoder-decoder' }),
      'tokenizer.json': 'nope',
      'tokenizer_config.json': '{}',
      'preprocessor_config.json': '{}',
      'onnx/encoder_model.onnx': 'x',
      'onnx/decoder_model.onnx': 'x'
    })
    expect((await errorOf(tok)).message).toMatch(/tokenizer\.json is not valid JSON/)
  })

  it('rejects folders that are not models, and missing paths', async () => {
    const empty = await folder('empty', { 'readme.txt': 'hi' })
    expect((await errorOf(empty)).message).toMatch(/is not a model folder: expected model\.onnx/)
    expect((await errorOf(path.join(root, 'nope'))).message).toMatch(/cannot be read \(ENOENT\)/)
    const onlyCsv = await folder('only-csv', { 'selected_tags.csv': 'tag_id,name,category\n' })
    expect((await errorOf(onlyCsv)).message).toMatch(/tagger folder missing model\.onnx$/)
  })
})
