import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { setLanguage } from '../i18n'
import type { UiLang } from '../i18n'
import type { ThemeChoice } from '../hooks/useTheme'

interface Props {
  crumb: string | null
  onHome(): void
  theme: ThemeChoice
  onTheme(t: ThemeChoice): void
  onHelp(): void
  /** extra header tools (e.g. the glossary link), before the language switch */
  extra?: ReactNode
}

const THEMES: ThemeChoice[] = ['system', 'light', 'dark']
const THEME_ICON: Record<ThemeChoice, string> = { system: '◐', light: '☀', dark: '☾' }

export function Header({ crumb, onHome, theme, onTheme, onHelp, extra }: Props): ReactNode {
  const { t, i18n } = useTranslation()
  const lang = (i18n.resolvedLanguage ?? i18n.language) as UiLang
  const label: Record<ThemeChoice, string> = {
    system: t('header.themeSystem'),
    light: t('header.themeLight'),
    dark: t('header.themeDark')
  }
  const nextTheme = THEMES[(THEMES.indexOf(theme) + 1) % THEMES.length] ?? 'system'
  return (
    <header className="app-header">
      <nav className="crumbs">
        <button className="brand" onClick={onHome} data-testid="nav-home">
          <span className="brand-mark" aria-hidden>
            G
          </span>
          {t('app.name')}
        </button>
        <span className="crumb-sep">/</span>
        <button className="crumb" onClick={onHome}>
          {t('header.library')}
        </button>
        {crumb && (
          <>
            <span className="crumb-sep">/</span>
            <span className="crumb crumb-current">{crumb}</span>
          </>
        )}
      </nav>
      <div className="header-tools">
        {extra}
        <div
          className="seg-group"
          role="group"
          aria-label={t('header.language')}
          data-testid="lang-switch"
        >
          {(
            [
              ['zh-CN', '中文'],
              ['en', 'English']
            ] as const
          ).map(([code, name]) => (
            <button
              key={code}
              className={`seg ${lang === code ? 'seg-on' : ''}`}
              aria-pressed={lang === code}
              onClick={() => setLanguage(code)}
              data-testid={`lang-${code}`}
            >
              {name}
            </button>
          ))}
        </div>
        <button
          className="btn btn-ghost"
          onClick={() => onTheme(nextTheme)}
          title={`${t('header.theme')}: ${label[theme]}`}
          data-testid="theme-switch"
          data-theme-choice={theme}
        >
          <span aria-hidden>{THEME_ICON[theme]}</span> {label[theme]}
        </button>
        <button
          className="btn btn-ghost"
          onClick={onHelp}
          title={t('header.shortcuts')}
          data-testid="help"
        >
          ?
        </button>
      </div>
    </header>
  )
}
