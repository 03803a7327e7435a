// Times in sentences: an instant as ISO-8601 UTC, and a length of time in the unit a person reads best. Pure,
// so runbooks, drills and reports write times the same way.

/** An instant as ISO-8601 UTC; whole seconds without ".000" (lossless: other milliseconds are kept). null → "—". */
export function iso(ms: number | null): string {
  return ms === null ? '—' : new Date(ms).toISOString().replace('.000Z', 'Z')
}

/** 850 → "850 ms", 4200 → "4.2 s", 45000 → "45 s", 300000 → "5.0 min", 9000000 → "2.5 h". */
export function formatSeconds(ms: number): string {
  if (ms < 1000) return `${ms} ms`
  if (ms < 120_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`
  if (ms < 7_200_000) return `${(ms / 60_000).toFixed(1)} min`
  return `${(ms / 3_600_000).toFixed(1)} h`
}
