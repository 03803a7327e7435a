// The guided OOM replay's words where a newcomer tripped (issue 18, item 6): each failed before the fix.

import { describe, expect, it } from 'vitest'
import { nb } from '../../../runbooks/consumer-oom-replay/notebook.ts'
import { describeMethod, noteText } from '../../../runbooks/consumer-oom-replay/text.ts'

describe('consumer-oom-replay words', () => {
  it("takes a bare number for the consumer's auto.commit.interval.ms as milliseconds, as the consumer's own config does", () => {
    const spec = nb.params['auto-commit-interval']
    expect(spec.parse('5000', 0)).toBe(5000)
    expect(spec.parse('2s', 0)).toBe(2000)
  })

  it('says "a safety margin of 8s", not "a 8s margin"', () => {
    const text = describeMethod({ kind: 'by-duration', durationMs: 60_000 }, 8000, 1_000_000)
    expect(text).toContain('minus a safety margin of 8s')
    expect(text).not.toMatch(/\ba 8/)
  })

  it('on a partition that never held a record, says nothing was deleted instead of "gone for good"', () => {
    const empty = noteText({ kind: 'below-log-start', requested: -5n, goneMessages: 0n })
    expect(empty).toContain('nothing there was deleted')
    expect(empty).not.toContain('gone for good')
    expect(noteText({ kind: 'below-log-start', requested: 10n, goneMessages: 15n })).toContain('15 records were deleted by retention and are gone for good')
  })
})
