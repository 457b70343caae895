import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { DupeGroup, DupeImage } from '@shared/api'

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`
  return `${(n / 1024 / 1024).toFixed(1)} MB`
}

/** A group is settled once every image but one is rejected (what `k` with "reject" leaves). */
export function isSettled(g: DupeGroup): boolean {
  return g.images.filter((i) => i.status !== 'rejected').length <= 1
}

function DupeCard({
  im,
  suggested,
  onKeep
}: {
  im: DupeImage
  suggested: boolean
  onKeep(): void
}): ReactNode {
  const { t } = useTranslation()
  return (
    <figure
      className={`dupe-card ${suggested ? 'dupe-keep' : ''} ${im.status === 'rejected' ? 'dupe-rejected' : ''}`}
      data-testid="dupe-image"
      data-id={im.id}
      data-keep={suggested ? 'true' : undefined}
    >
      <img className="dupe-thumb" src={`media/thumb/${im.id}`} alt={im.fileName} loading="lazy" />
      <figcaption className="dupe-meta">
        <div className="dupe-name" title={im.relPath}>
          {suggested && <span className="badge dupe-badge">{t('stats.suggestedKeep')}</span>}
          {im.fileName}
        </div>
        <div className="dupe-facts">
          <span>{im.width && im.height ? `${im.width}×${im.height}` : '?'}</span>
          <span>{formatBytes(im.bytes)}</span>
          {im.format && <span>{im.format}</span>}
          <span title={t('stats.distanceHint')}>{t('stats.bits', { count: im.distance })}</span>
          <span className={`dupe-status status-${im.status}`}>
            <i className={`dot status-bg-${im.status}`} />
            {t(`status.${im.status}`)}
          </span>
        </div>
        <div className="dupe-caption" lang="zh">
          {im.zh || <span className="muted">{t('stats.noZh')}</span>}
        </div>
        <div className="dupe-caption" lang="en">
          {im.en || <span className="muted">{t('stats.noEn')}</span>}
        </div>
        <button className="btn btn-small" onClick={onKeep} data-testid="keep-this">
          {t('stats.keepThis')}
        </button>
      </figcaption>
    </figure>
  )
}

/** One group side by side: exact or near, the suggested keeper first and marked. */
export function DupesGroupView({
  group,
  index,
  active,
  onFocus,
  onKeep
}: {
  group: DupeGroup
  index: number
  active: boolean
  onFocus(): void
  onKeep(keepId: number): void
}): ReactNode {
  const { t } = useTranslation()
  return (
    <section
      className={`dupe-group ${active ? 'dupe-active' : ''}`}
      data-testid="dupe-group"
      data-kind={group.kind}
      aria-current={active ? 'true' : undefined}
      onClick={onFocus}
    >
      <header className="dupe-head">
        <strong>#{index + 1}</strong>
        <span className={`badge ${group.kind === 'exact' ? 'dupe-exact' : 'dupe-near'}`}>
          {group.kind === 'exact' ? t('stats.exact') : t('stats.near', { bits: group.maxDistance })}
        </span>
        <span className="muted">{t('stats.groupImages', { count: group.images.length })}</span>
        {isSettled(group) && <span className="badge">{t('stats.settled')}</span>}
        <span className="grow" />
        {active && <span className="muted">{t('stats.keepHint')}</span>}
      </header>
      <div className="dupe-row">
        {group.images.map((im) => (
          <DupeCard
            key={im.id}
            im={im}
            suggested={im.id === group.suggestedKeep}
            onKeep={() => onKeep(im.id)}
          />
        ))}
      </div>
    </section>
  )
}
