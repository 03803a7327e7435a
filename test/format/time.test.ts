import { describe, expect, it } from 'vitest'
import { formatSeconds, iso } from '../../lib/format/time.ts'

describe('times in sentences', () => {
  it.each([
    { ms: null, text: '—' },
    { ms: Date.parse('2026-11-24T03:12:00Z'), text: '2026-11-24T03:12:00Z' },
    { ms: Date.parse('2026-11-24T03:12:00.250Z'), text: '2026-11-24T03:12:00.250Z' },
  ])('iso($ms) = $text', ({ ms, text }) => expect(iso(ms)).toBe(text))

  it.each([
    { ms: 850, text: '850 ms' },
    { ms: 4200, text: '4.2 s' },
    { ms: 45_000, text: '45 s' },
    { ms: 300_000, text: '5.0 min' },
    { ms: 9_000_000, text: '2.5 h' },
  ])('formatSeconds($ms) = $text', ({ ms, text }) => expect(formatSeconds(ms)).toBe(text))
})
