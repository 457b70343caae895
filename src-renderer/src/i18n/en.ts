/** English UI strings. zh-CN.ts must have the same keys (checked by its type). */
export const en = {
  app: { name: 'Glossa', tagline: 'Bilingual dataset studio' },
  header: {
    library: 'Library',
    language: 'Language',
    theme: 'Theme',
    themeSystem: 'System',
    themeLight: 'Light',
    themeDark: 'Dark',
    shortcuts: 'Keyboard shortcuts'
  },
  home: {
    title: 'Datasets',
    importFolder: 'Import folder',
    empty: 'No datasets yet. Import a folder of images to start.',
    images: '{{count, number}} images',
    images_one: '{{count, number}} image',
    errors: '{{count, number}} errors',
    errors_one: '{{count, number}} error',
    reviewed: '{{done}} / {{total}} reviewed',
    captioned: 'zh {{zh}} · en {{en}}',
    open: 'Open'
  },
  import: {
    title: 'Import a folder',
    pathLabel: 'Folder path on the server',
    pathPlaceholder: '/data/images/my-dataset',
    pathHint: 'Images and their .txt/.caption sidecars are read, never modified.',
    choose: 'Choose folder…',
    datasetLabel: 'Dataset name (optional)',
    datasetPlaceholder: 'defaults to the folder name',
    start: 'Import',
    cancel: 'Cancel'
  },
  jobs: {
    title: 'Jobs',
    kind_import: 'Import',
    status_queued: 'Queued',
    status_running: 'Running',
    status_interrupted: 'Interrupted',
    status_cancelled: 'Cancelled',
    status_done: 'Done',
    status_failed: 'Failed',
    progress: '{{done}} / {{total}}',
    rate: '{{rate}} img/s',
    eta: 'ETA {{eta}}',
    cancel: 'Cancel',
    dismiss: 'Dismiss',
    failedCount: '{{count, number}} files failed',
    failedCount_one: '{{count, number}} file failed',
    errorsTitle: 'Files that could not be imported',
    file: 'File',
    reason: 'Reason',
    moreErrors: 'Load more',
    openDataset: 'Open dataset'
  },
  grid: {
    total: '{{count, number}} images',
    total_one: '{{count, number}} image',
    loading: 'Loading…',
    empty: 'No images match.',
    thumb: 'Image',
    fileName: 'File name',
    concept: 'Concept',
    zh: 'Chinese caption',
    en: 'English caption',
    tags: 'Tags',
    status: 'Status',
    size: 'Size'
  },
  filter: {
    search: 'Search captions and tags (/)',
    status: 'Status',
    concept: 'Concept',
    allConcepts: 'All concepts',
    missing: 'Missing caption',
    missingNone: 'Any caption',
    missing_zh: 'Missing zh',
    missing_en: 'Missing en',
    missing_any: 'Missing zh or en',
    errorsOnly: 'Errors only',
    clear: 'Clear filters'
  },
  status: {
    unreviewed: 'Unreviewed',
    approved: 'Approved',
    rejected: 'Rejected',
    'needs-work': 'Needs work'
  },
  editor: {
    none: 'Select an image to edit its captions.',
    raw: 'Imported caption (read-only)',
    rawNone: 'No caption file was imported.',
    zh: 'Chinese caption',
    en: 'English caption',
    chars: '{{count}} chars',
    tags: 'Tags (comma separated)',
    status: 'Review',
    saving: 'Saving…',
    saved: 'Saved ✓',
    error: 'Error',
    importError: 'Import error',
    file: 'File',
    size: '{{w}} × {{h}}'
  },
  shortcuts: {
    title: 'Keyboard shortcuts',
    close: 'Close',
    next: 'Next image',
    prev: 'Previous image',
    edit: 'Edit the Chinese caption',
    leave: 'Leave the editor',
    approve: 'Approve',
    reject: 'Reject',
    needsWork: 'Needs work',
    unreviewed: 'Mark unreviewed',
    undo: 'Undo',
    redo: 'Redo',
    search: 'Focus search',
    help: 'Show this sheet'
  },
  toast: {
    undone: 'Undone: {{label}}',
    redone: 'Redone: {{label}}',
    nothingToUndo: 'Nothing to undo',
    nothingToRedo: 'Nothing to redo',
    dismiss: 'Dismiss'
  }
}

type Widen<T> = { [K in keyof T]: T[K] extends string ? string : Widen<T[K]> }
export type Strings = Widen<typeof en>
