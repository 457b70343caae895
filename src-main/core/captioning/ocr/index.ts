/**
 * The built-in OCR model (`ocr`): PP-OCRv4 detection + recognition for Chinese and English on
 * onnxruntime-node. See engine.ts for the API and the pipeline.
 */
export { createOcrEngine, type OcrEngine, type OcrEngineOptions } from './engine'
export { DEFAULT_DET_OPTIONS, type DetOptions } from './det'
export { DEFAULT_SPACE_OPTIONS, type SpaceOptions } from './rec'
export { OCR_FILES, OcrModelError, defaultModelDir, modelPaths, type OcrModelPaths } from './models'
export {
  DEFAULT_OCR_TEXT_OPTIONS,
  DEFAULT_WATERMARK_OPTIONS,
  isWatermark,
  lineLang,
  ocrText,
  summariseText,
  type OcrLang,
  type OcrLine,
  type OcrTextOptions,
  type TextSummary,
  type WatermarkOptions
} from './text'
export type { Point, Quad } from './geometry'
