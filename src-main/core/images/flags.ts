/**
 * Bits of `images.flags` (an INTEGER bit set since migration 0001; bit 1 is the import's
 * regularisation mark, FLAG_REG in import/store.ts, which keeps the other bits on re-import).
 *
 * The OCR bits are written by the built-in OCR model (`caption --model ocr`) through the journal
 * (entry kind 'ocr'), so undoing the run clears them with its captions:
 *  - FLAG_OCR_READ: the OCR model has read this image (a re-run skips it unless asked to redo);
 *  - FLAG_WATERMARK: it found a line that looks like a watermark or an overlay credit.
 */
export const FLAG_OCR_READ = 2
export const FLAG_WATERMARK = 4
/** the bits the OCR model owns */
export const OCR_FLAG_MASK = FLAG_OCR_READ | FLAG_WATERMARK
