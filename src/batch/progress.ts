/** The progress line a long batch shows on a terminal: records done, rate, ETA. */
import type { BatchProgress } from './batch.js'

const count = (n: number): string => Math.round(n).toLocaleString('en-US')

function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const ss = String(s % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`
}

/** "12,345 records · 85,210/s · ETA 0:12 · 3 failed"; the ETA needs the input's size in bytes. */
export function formatProgress(p: BatchProgress, totalBytes?: number): string {
  const rate = p.elapsedMs > 0 ? (p.lines * 1000) / p.elapsedMs : 0
  const parts = [`${count(p.lines)} records`, `${count(rate)}/s`]
  if (totalBytes !== undefined && totalBytes > 0 && p.bytesRead > 0 && !p.done) {
    const fraction = Math.min(1, p.bytesRead / totalBytes)
    parts.push(`ETA ${duration((p.elapsedMs * (1 - fraction)) / fraction)}`)
  }
  if (p.failed > 0) parts.push(`${count(p.failed)} failed`)
  return parts.join(' · ')
}

/** Whether to draw a progress bar: stderr is a terminal and this is not a CI log. */
export function wantsProgress(isTTY: boolean, env: NodeJS.ProcessEnv): boolean {
  return isTTY && (env.CI === undefined || env.CI === '')
}
