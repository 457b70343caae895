/**
 * The export wizard's read-only views: the dry-run summary (export.plan: where each caption
 * comes from — up front —, how lines and paths are written, counts and size per concept folder,
 * renames, skips, warnings, the destination's refusal) and the validation report of a finished
 * export (export.report: the export read back the way the trainer reads it and compared image by
 * image with the approved captions; fallbacks counted in the headline).
 */
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type {
  ExportCaptionPlan,
  ExportPlanResult,
  ExportPortability,
  ExportReport
} from '@shared/api'
import { EXPORT_CAPTION_SOURCES } from '@shared/constants'
import { formatBytes } from './ModelFormat'

/** sources that are not the caption the profile asked for */
const NOTED = new Set(['fallback-zh', 'fallback-en', 'tags', 'class'])

/** Where the captions come from (per-source counts), how lines are written, where paths point. */
function CaptionSources({ c, port }: { c: ExportCaptionPlan; port: ExportPortability }): ReactNode {
  const { t, i18n } = useTranslation()
  const nf = new Intl.NumberFormat(i18n.language)
  return (
    <div className="dt-sources-box" data-testid="export-sources">
      <span className="small dt-sources-title">{t('datatools.export.sources')}</span>
      <ul className="dt-sources">
        {EXPORT_CAPTION_SOURCES.filter((s) => c.sources[s] > 0).map((s) => (
          <li
            key={s}
            className={NOTED.has(s) ? 'dt-source dt-source-noted' : 'dt-source'}
            data-testid="export-source"
            data-source={s}
            data-count={c.sources[s]}
          >
            {t(`datatools.export.src_${s}`)} <strong>{nf.format(c.sources[s])}</strong>
          </li>
        ))}
      </ul>
      {c.multiLine > 0 && (
        <span className="small" data-testid="export-lines" data-lines={c.lines}>
          {t(
            c.lines === 'alternatives'
              ? 'datatools.export.linesAlt'
              : 'datatools.export.linesJoined',
            {
              count: c.multiLine
            }
          )}
          {c.wildcard && ` ${t('datatools.export.wildcard')}`}
        </span>
      )}
      <span className="small muted" data-testid="export-paths" data-paths={port.paths}>
        {port.runFromExport
          ? t('datatools.export.runFromExport')
          : port.paths === 'absolute'
            ? t('datatools.export.absoluteNote')
            : t('datatools.export.portableHf')}
      </span>
    </div>
  )
}

function Notes({
  r
}: {
  r: Pick<ExportPlanResult, 'renamed' | 'skipped' | 'warnings'>
}): ReactNode {
  const { t } = useTranslation()
  if (!r.renamed.length && !r.skipped.length && !r.warnings.length) return null
  return (
    <details className="dt-warnings" data-testid="export-notes">
      <summary>
        {[
          r.renamed.length ? t('datatools.export.renamed', { count: r.renamed.length }) : '',
          r.skipped.length ? t('datatools.export.skipped', { count: r.skipped.length }) : '',
          r.warnings.length ? `${t('datatools.export.warnings')} (${r.warnings.length})` : ''
        ]
          .filter(Boolean)
          .join(' · ')}
      </summary>
      <ul>
        {r.renamed.map((x) => (
          <li key={`r${x.imageId}`} className="mono small">
            {x.source} → {x.exported} ({x.reason})
          </li>
        ))}
        {r.skipped.map((x) => (
          <li key={`s${x.imageId}`} className="mono small">
            {x.source}: {x.reason}
          </li>
        ))}
        {r.warnings.map((w, i) => (
          <li key={`w${i}`}>{w}</li>
        ))}
      </ul>
    </details>
  )
}

export function PlanView({ plan }: { plan: ExportPlanResult }): ReactNode {
  const { t, i18n } = useTranslation()
  const nf = new Intl.NumberFormat(i18n.language)
  return (
    <section className="dt-section" data-testid="export-plan" data-images={plan.images}>
      <strong data-testid="export-plan-summary">
        {t('datatools.export.planSummary', {
          images: plan.images,
          candidates: plan.candidates,
          size: formatBytes(plan.bytes)
        })}
      </strong>
      <CaptionSources c={plan.captions} port={plan.portability} />
      <div className="dt-table-wrap">
        <table className="dt-table" data-testid="export-plan-subsets">
          <thead>
            <tr>
              <th>{t('datatools.export.colFolder')}</th>
              <th>{t('datatools.export.colConcept')}</th>
              <th>{t('datatools.export.colClass')}</th>
              <th className="num">{t('datatools.export.colRepeats')}</th>
              <th className="num">{t('datatools.export.colImages')}</th>
              <th className="num">{t('datatools.export.colSize')}</th>
            </tr>
          </thead>
          <tbody>
            {plan.subsets.map((s) => (
              <tr key={s.folder} data-testid="export-plan-subset" data-folder={s.folder}>
                <td className="mono">
                  {s.folder}
                  {s.isReg && <span className="badge">reg</span>}
                </td>
                <td>{s.concept}</td>
                <td>{s.classTokens}</td>
                <td className="num">{s.repeats}</td>
                <td className="num">{nf.format(s.images)}</td>
                <td className="num">{formatBytes(s.bytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Notes r={plan} />
      {plan.destinationProblem && (
        <p className="text-danger" data-testid="export-dest-problem">
          {t('datatools.export.destProblem', { problem: plan.destinationProblem })}
        </p>
      )}
    </section>
  )
}

export function ReportView({ report }: { report: ExportReport }): ReactNode {
  const { t, i18n } = useTranslation()
  const nf = new Intl.NumberFormat(i18n.language)
  const v = report.validation
  const src = report.captions.sources
  return (
    <section className="dt-section" data-testid="export-report" data-ok={v.ok}>
      <h3 className="dt-h">{t('datatools.export.report')}</h3>
      <p className={v.ok ? 'dt-ok' : 'dt-bad'} data-testid="export-report-verdict">
        {t(v.ok ? 'datatools.export.reportOk' : 'datatools.export.reportBad', {
          checked: v.fidelity.checked,
          matched: v.fidelity.matched
        })}{' '}
        <span className="dt-verdict-note" data-testid="export-report-fallbacks">
          {t('datatools.export.reportFallbacks', {
            fallback: src['fallback-zh'] + src['fallback-en'],
            tags: src.tags,
            class: src.class
          })}
        </span>
      </p>
      <CaptionSources c={report.captions} port={report.portability} />
      <p className="small">
        {t('datatools.export.exported', {
          count: report.exported,
          files: report.files,
          size: formatBytes(report.bytes),
          dir: report.destination
        })}
      </p>
      {report.linkFallbacks > 0 && (
        <p className="muted small">
          {t('datatools.export.linkFallbacks', { count: report.linkFallbacks })}
        </p>
      )}
      <div className="dt-table-wrap">
        <table className="dt-table" data-testid="export-report-subsets">
          <thead>
            <tr>
              <th>{t('datatools.export.colFolder')}</th>
              <th>{t('datatools.export.colClass')}</th>
              <th className="num">{t('datatools.export.colRepeats')}</th>
              <th className="num">{t('datatools.export.colImages')}</th>
              <th className="num">{t('datatools.export.colCaptions')}</th>
            </tr>
          </thead>
          <tbody>
            {v.subsets.map((s) => (
              <tr key={s.imageDir} data-testid="export-report-subset" data-name={s.name}>
                <td className="mono" title={s.imageDir}>
                  {s.name}
                  {s.isReg && <span className="badge">reg</span>}
                </td>
                <td>{s.classTokens}</td>
                <td className="num">{s.repeats}</td>
                <td className="num">{nf.format(s.images)}</td>
                <td className="num">{nf.format(s.captions)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {v.issues.length > 0 && (
        <ul className="dt-issues" data-testid="export-report-issues">
          {v.issues.map((i, k) => (
            <li key={k} className={`dt-issue-${i.level}`}>
              {i.message}
              {i.path && <span className="mono small"> ({i.path})</span>}
            </li>
          ))}
        </ul>
      )}
      <Notes r={report} />
    </section>
  )
}
