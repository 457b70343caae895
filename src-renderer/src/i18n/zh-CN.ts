import type { Strings } from './en'

/** 简体中文界面文案（键与 en.ts 一致）。 */
export const zhCN: Strings = {
  app: { name: 'Glossa', tagline: '双语数据集工作室' },
  header: {
    library: '资料库',
    language: '语言',
    theme: '主题',
    themeSystem: '跟随系统',
    themeLight: '浅色',
    themeDark: '深色',
    shortcuts: '键盘快捷键'
  },
  home: {
    title: '数据集',
    importFolder: '导入文件夹',
    empty: '还没有数据集。导入一个图片文件夹即可开始。',
    images: '{{count, number}} 张图片',
    images_one: '{{count, number}} 张图片',
    errors: '{{count, number}} 个错误',
    errors_one: '{{count, number}} 个错误',
    reviewed: '已审阅 {{done}} / {{total}}',
    captioned: '中文 {{zh}} · 英文 {{en}}',
    open: '打开'
  },
  import: {
    title: '导入文件夹',
    pathLabel: '服务器上的文件夹路径',
    pathPlaceholder: '/data/images/my-dataset',
    pathHint: '只读取图片及其 .txt/.caption 标注文件，绝不修改它们。',
    choose: '选择文件夹…',
    datasetLabel: '数据集名称（可选）',
    datasetPlaceholder: '默认使用文件夹名',
    start: '导入',
    cancel: '取消'
  },
  jobs: {
    title: '任务',
    kind_import: '导入',
    status_queued: '排队中',
    status_running: '进行中',
    status_interrupted: '已中断',
    status_cancelled: '已取消',
    status_done: '已完成',
    status_failed: '失败',
    progress: '{{done}} / {{total}}',
    rate: '{{rate}} 张/秒',
    eta: '剩余 {{eta}}',
    cancel: '取消',
    dismiss: '关闭',
    failedCount: '{{count, number}} 个文件失败',
    failedCount_one: '{{count, number}} 个文件失败',
    errorsTitle: '未能导入的文件',
    file: '文件',
    reason: '原因',
    moreErrors: '加载更多',
    openDataset: '打开数据集'
  },
  grid: {
    total: '共 {{count, number}} 张',
    total_one: '共 {{count, number}} 张',
    loading: '加载中…',
    empty: '没有匹配的图片。',
    thumb: '图片',
    fileName: '文件名',
    concept: '概念',
    zh: '中文描述',
    en: '英文描述',
    tags: '标签',
    status: '状态',
    size: '尺寸'
  },
  filter: {
    search: '搜索描述和标签 (/)',
    status: '状态',
    concept: '概念',
    allConcepts: '全部概念',
    missing: '缺少描述',
    missingNone: '不限',
    missing_zh: '缺中文',
    missing_en: '缺英文',
    missing_any: '缺中文或英文',
    errorsOnly: '仅看错误',
    clear: '清除筛选'
  },
  status: {
    unreviewed: '未审阅',
    approved: '通过',
    rejected: '拒绝',
    'needs-work': '待修改'
  },
  editor: {
    none: '选择一张图片以编辑其描述。',
    raw: '导入的原始描述（只读）',
    rawNone: '没有导入描述文件。',
    zh: '中文描述',
    en: '英文描述',
    chars: '{{count}} 字',
    tags: '标签（逗号分隔）',
    status: '审阅',
    saving: '保存中…',
    saved: '已保存 ✓',
    error: '出错',
    importError: '导入错误',
    file: '文件',
    size: '{{w}} × {{h}}'
  },
  shortcuts: {
    title: '键盘快捷键',
    close: '关闭',
    next: '下一张',
    prev: '上一张',
    edit: '编辑中文描述',
    leave: '离开编辑器',
    approve: '通过',
    reject: '拒绝',
    needsWork: '待修改',
    unreviewed: '标为未审阅',
    undo: '撤销',
    redo: '重做',
    search: '聚焦搜索框',
    help: '显示本表'
  },
  toast: {
    undone: '已撤销：{{label}}',
    redone: '已重做：{{label}}',
    nothingToUndo: '没有可撤销的操作',
    nothingToRedo: '没有可重做的操作',
    dismiss: '关闭'
  }
}
