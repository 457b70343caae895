import i18n from 'i18next'
import { initReactI18next } from 'react-i18next'
import { en } from './en'
import { zhCN } from './zh-CN'

export const UI_LANGS = ['zh-CN', 'en'] as const
export type UiLang = (typeof UI_LANGS)[number]
const STORAGE_KEY = 'glossa.lang'

function readStored(): UiLang | null {
  try {
    const v = localStorage.getItem(STORAGE_KEY)
    return UI_LANGS.find((l) => l === v) ?? null
  } catch {
    return null
  }
}

/** The remembered choice, else the system language (any zh-* → zh-CN), else English. */
export function initialLanguage(): UiLang {
  const stored = readStored()
  if (stored) return stored
  const langs = navigator.languages?.length ? navigator.languages : [navigator.language]
  for (const l of langs) {
    if (/^zh\b/i.test(l)) return 'zh-CN'
    if (/^en\b/i.test(l)) return 'en'
  }
  return 'en'
}

export function setLanguage(lang: UiLang): void {
  try {
    localStorage.setItem(STORAGE_KEY, lang)
  } catch {
    // storage unavailable: the choice lasts for this session only
  }
  void i18n.changeLanguage(lang)
}

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
  lng: initialLanguage(),
  fallbackLng: 'en',
  interpolation: { escapeValue: false },
  returnNull: false
})

i18n.on('languageChanged', (lng) => {
  document.documentElement.lang = lng
})
document.documentElement.lang = i18n.language

export default i18n
