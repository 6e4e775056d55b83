/**
 * "Did you mean": the known name closest to a mistyped one (cedar's fuzzy_match), for problems' hints.
 * Edit distance over code units, case-insensitive; only a close enough name is offered.
 */

/**
 * Edit distance over code units: Levenshtein, or with `transpositions` the optimal string alignment distance
 * (an adjacent swap costs 1). Three rows, no matrix.
 */
export function editDistance(a: string, b: string, transpositions = false): number {
  let before: number[] = []
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
      // a transposition; in the first row or column (i or j = 1)
      // a[i - 2] or b[j - 2] is undefined, so it never matches there
      if (transpositions && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1)
      current[j] = d
    }
    before = previous
    previous = current
  }
  return previous[b.length]!
}

/** The candidate closest to `name` when it is within a third of the name's length (at least 1), else undefined. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  const wanted = name.toLowerCase()
  const limit = Math.max(1, Math.floor(name.length / 3))
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of candidates) {
    // long names are never close to short ones: skip the work
    if (Math.abs(candidate.length - name.length) > limit) continue
    const d = editDistance(wanted, candidate.toLowerCase())
    if (d < bestDistance && d <= limit) {
      best = candidate
      bestDistance = d
    }
  }
  return best
}

/** A hint listing the names that would do, led by the closest one when there is one. */
export function knownNamesHint(name: string, known: readonly string[], what: string): string {
  const near = closest(name, known)
  return `${near !== undefined ? `did you mean '${near}'? ` : ''}${what}: ${known.join(', ') || '(none)'}`
}
