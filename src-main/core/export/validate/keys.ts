/**
 * The keys sd-scripts' ConfigSanitizer accepts (library/config_util.py, formats.md §2). Unknown
 * keys make it fail with "extra keys not allowed".
 */
const SUBSET_ASCENDABLE = [
  'color_aug',
  'face_crop_aug_range',
  'flip_aug',
  'num_repeats',
  'random_crop',
  'shuffle_caption',
  'keep_tokens',
  'keep_tokens_separator',
  'secondary_separator',
  'caption_separator',
  'enable_wildcard',
  'token_warmup_min',
  'token_warmup_step',
  'caption_prefix',
  'caption_suffix',
  'custom_attributes',
  'resize_interpolation',
  'caption_dropout_rate',
  'caption_dropout_every_n_epochs',
  'caption_tag_dropout_rate'
]
const DB_ASCENDABLE = ['caption_extension', 'class_tokens', 'cache_info']
const DATASET_ASCENDABLE = [
  'batch_size',
  'bucket_no_upscale',
  'bucket_reso_steps',
  'enable_bucket',
  'max_bucket_reso',
  'min_bucket_reso',
  'resolution',
  'network_multiplier',
  'validation_seed',
  'validation_split'
]

export const ACCEPTED_KEYS = {
  db: {
    general: new Set([...SUBSET_ASCENDABLE, ...DB_ASCENDABLE, ...DATASET_ASCENDABLE]),
    dataset: new Set([...SUBSET_ASCENDABLE, ...DB_ASCENDABLE, ...DATASET_ASCENDABLE, 'subsets']),
    subset: new Set([
      ...SUBSET_ASCENDABLE,
      ...DB_ASCENDABLE,
      'image_dir',
      'is_reg',
      'alpha_mask',
      'conditioning_data_dir'
    ])
  },
  ft: {
    general: new Set([...SUBSET_ASCENDABLE, ...DATASET_ASCENDABLE]),
    dataset: new Set([...SUBSET_ASCENDABLE, ...DATASET_ASCENDABLE, 'subsets']),
    subset: new Set([...SUBSET_ASCENDABLE, 'metadata_file', 'image_dir', 'alpha_mask'])
  }
} as const

export const TOP_LEVEL = new Set(['general', 'datasets'])
