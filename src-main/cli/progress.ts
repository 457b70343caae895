import cliProgress from 'cli-progress'
import type { JobProgress } from '../shared/api'
import { formatDuration } from './format'

/**
 * A terminal progress bar for a job on stderr: phase, bar, done/total, rate and ETA. When stderr
 * is not a terminal it prints a plain line per phase change and every ~10% instead.
 */
export class ProgressView {
  private bar: cliProgress.SingleBar | null = null
  private phase = ''
  private lastDecile = -1
  private lastRate = 0

  constructor(private stream: NodeJS.WriteStream) {}

  update(p: JobProgress): void {
    const value = p.done + p.failed
    // the final event of a job carries rate 0: keep showing the last real rate
    const rate = p.status === 'running' || p.rate > 0 ? p.rate : this.lastRate
    this.lastRate = rate
    const payload = {
      phase: (p.phase || 'working').padEnd(6),
      rate: rate >= 100 ? rate.toFixed(0) : rate.toFixed(1),
      remaining: formatDuration(p.etaSeconds),
      failedNote: p.failed ? ` | ${p.failed} failed` : ''
    }
    if (!this.stream.isTTY) {
      const decile = p.total > 0 ? Math.floor((value / p.total) * 10) : 0
      if (p.phase !== this.phase || decile > this.lastDecile) {
        this.stream.write(
          `${payload.phase.trim()}: ${value}/${p.total}${payload.failedNote} (${payload.rate} img/s, ETA ${payload.remaining})\n`
        )
        this.lastDecile = decile
        this.phase = p.phase
      }
      return
    }
    if (!this.bar) {
      this.bar = new cliProgress.SingleBar(
        {
          stream: this.stream,
          format: '{phase} |{bar}| {value}/{total} | {rate} img/s | ETA {remaining}{failedNote}',
          barsize: 30,
          hideCursor: true,
          clearOnComplete: false,
          etaBuffer: 1
        },
        cliProgress.Presets.shades_classic
      )
      this.bar.start(Math.max(p.total, 1), value, payload)
    }
    this.bar.setTotal(Math.max(p.total, value, 1))
    this.bar.update(value, payload)
    this.phase = p.phase
  }

  stop(): void {
    this.bar?.stop()
    this.bar = null
  }
}
