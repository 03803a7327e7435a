import { describe, expect, it } from 'vitest'
import { agree, counted, formatCount } from '../../lib/format/counts.ts'

describe('counts in sentences', () => {
  it.each([
    [0, '0'],
    [999, '999'],
    [1234567, '1,234,567'],
    [-1234, '-1,234'],
    [12345678901234567890n, '12,345,678,901,234,567,890'],
  ])('groups %s as %s', (value, text) => {
    expect(formatCount(value)).toBe(text)
  })

  it('makes the noun and the verb agree with the count, numbers and bigints alike', () => {
    expect(`${counted(1, 'partition')} ${agree(1, 'has', 'have')}`).toBe('1 partition has')
    expect(`${counted(1n, 'partition')} ${agree(1n, 'has', 'have')}`).toBe('1 partition has')
    expect(`${counted(0, 'partition')} ${agree(0, 'has', 'have')}`).toBe('0 partitions have')
    expect(`${counted(1204, 'copy', 'copies')} ${agree(1204, 'stays', 'stay')}`).toBe('1,204 copies stay')
  })
})
