import { describe, expect, it } from 'vitest'
import { param, ParamError, parseDateTime, parseDuration } from '../../lib/engine/params.ts'

const now = Date.parse('2026-11-24T03:00:00Z')

describe('durations', () => {
  it.each([
    ['PT15M', 900_000],
    ['P1DT2H', 93_600_000],
    ['PT0.5S', 500],
    ['15m', 900_000],
    ['90s', 90_000],
    ['2 hours', 7_200_000],
    ['1h 30m', 5_400_000],
    ['250ms', 250],
  ])('%s is %i ms', (text, ms) => expect(parseDuration(text)).toBe(ms))

  it.each(['soon', '15', 'P', 'PT', '5 fortnights', ''])('rejects %j', (text) => expect(() => parseDuration(text)).toThrow(ParamError))
})

describe('date-times', () => {
  it.each([
    ['2026-11-24T02:10:00Z', Date.parse('2026-11-24T02:10:00Z')],
    ['2026-11-24T02:10:00.250', Date.parse('2026-11-24T02:10:00.250Z')],
    ['2026-11-24T04:10:00+02:00', Date.parse('2026-11-24T02:10:00Z')],
    ['2026-11-24 02:10', Date.parse('2026-11-24T02:10:00Z')],
    ['15 minutes ago', now - 900_000],
    ['PT1H ago', now - 3_600_000],
    ['now', now],
    ['1795921800000', 1795921800000],
  ])('%s', (text, expected) => expect(parseDateTime(text, now)).toBe(expected))

  it.each(['yesterday-ish', '2026-02-30T00:00:00Z', '2026-13-01', '24/11/2026'])('rejects %j', (text) =>
    expect(() => parseDateTime(text, now)).toThrow(ParamError),
  )

  it('refuses the future unless allowed', () => {
    expect(() => param.datetime({ help: '' }).parse('2026-11-24T04:00:00Z', now)).toThrow('is in the future')
    expect(param.datetime({ help: '', allowFuture: true }).parse('2026-11-24T04:00:00Z', now)).toBe(Date.parse('2026-11-24T04:00:00Z'))
  })
})

describe('other parameter types', () => {
  it('integers within bounds', () => {
    const spec = param.integer({ help: '', min: 1, max: 3 })
    expect(spec.parse(' 2 ', now)).toBe(2)
    expect(() => spec.parse('4', now)).toThrow('above the maximum of 3')
    expect(() => spec.parse('1.5', now)).toThrow('not a whole number')
  })

  it('counts keep full precision', () => {
    expect(param.count({ help: '', allowNegative: true }).parse('-9007199254740993', now)).toBe(-9007199254740993n)
    expect(() => param.count({ help: '' }).parse('-1', now)).toThrow('must not be negative')
  })

  it('choices, lists and strings', () => {
    expect(param.choice({ help: '', values: ['a', 'b'] }).parse('b', now)).toBe('b')
    expect(() => param.choice({ help: '', values: ['a', 'b'] }).parse('c', now)).toThrow('not one of a, b')
    const partitions = param.list({ help: '', item: (s) => Number(s) })
    expect(partitions.parse('1, 2,3', now)).toEqual([1, 2, 3])
    expect(partitions.format([1, 2])).toBe('1,2')
    expect(() => param.string({ help: '', pattern: /^[a-z]+$/, patternHelp: 'lower-case' }).parse('ABC', now)).toThrow('"ABC" is not lower-case')
  })
})
