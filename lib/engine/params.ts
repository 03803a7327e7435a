// Typed runbook parameters: each knows how to read itself from text (a --set flag, an answers file, a prompt),
// what it means (help), how to be asked for interactively, and — for the names of things in the cluster —
// how to check itself against it (cluster-params.ts).

import { clusterParams } from './cluster-params.ts'
export { checkClusterNames } from './cluster-params.ts'
import { type Common, listItems, ParamError, type ParamSpec, paramSpec } from './param-spec.ts'

export { ParamError } from './param-spec.ts'
export type { Choice, Common, ParamSpec, ParamSpecs, ParamValue } from './param-spec.ts'

const identity = (value: string) => value

const spec = paramSpec

/** Free text, optionally matched against a pattern. */
function string(options: Common<string> & { readonly pattern?: RegExp; readonly patternHelp?: string }): ParamSpec<string> {
  return spec(
    'string',
    options,
    (text) => {
      const value = text.trim()
      if (value === '') throw new ParamError('an empty value is not allowed')
      if (options.pattern && !options.pattern.test(value)) throw new ParamError(`"${value}" is not ${options.patternHelp ?? `of the form ${options.pattern}`}`)
      return value
    },
    identity,
  )
}

/** A whole number within bounds. */
function integer(options: Common<number> & { readonly min?: number; readonly max?: number }): ParamSpec<number> {
  return spec(
    'integer',
    options,
    (text) => {
      const trimmed = text.trim().replace(/[_,](?=\d{3})/g, '')
      if (!/^[-+]?\d+$/.test(trimmed)) throw new ParamError(`"${text}" is not a whole number`)
      const value = Number(trimmed)
      if (options.min !== undefined && value < options.min) throw new ParamError(`${value} is below the minimum of ${options.min}`)
      if (options.max !== undefined && value > options.max) throw new ParamError(`${value} is above the maximum of ${options.max}`)
      return value
    },
    String,
  )
}

/** A signed count of messages (offsets are bigints: a topic can hold more than 2^53 records). */
function count(options: Common<bigint> & { readonly allowNegative?: boolean }): ParamSpec<bigint> {
  return spec(
    'count',
    options,
    (text) => {
      const trimmed = text.trim().replace(/[_,](?=\d{3})/g, '')
      if (!/^[-+]?\d+$/.test(trimmed)) throw new ParamError(`"${text}" is not a whole number`)
      const value = BigInt(trimmed)
      if (!options.allowNegative && value < 0n) throw new ParamError(`${text} must not be negative`)
      return value
    },
    (value) => value.toString(),
  )
}

function boolean(options: Common<boolean>): ParamSpec<boolean> {
  return spec(
    'boolean',
    options,
    (text) => {
      const value = text.trim().toLowerCase()
      if (['true', 'yes', 'y', '1', 'on'].includes(value)) return true
      if (['false', 'no', 'n', '0', 'off'].includes(value)) return false
      throw new ParamError(`"${text}" is not yes or no`)
    },
    String,
  )
}

/** One of a fixed set of values. */
function choice<const V extends string>(options: Common<V> & { readonly values: readonly V[] }): ParamSpec<V> {
  return spec(
    `one of ${options.values.join(' | ')}`,
    options,
    (text) => {
      const value = text.trim() as V
      if (!options.values.includes(value)) throw new ParamError(`"${text}" is not one of ${options.values.join(', ')}`)
      return value
    },
    identity,
  )
}

/** A comma-separated list of items, each parsed by `item`. */
function list<T>(
  options: Common<readonly T[]> & { readonly item: (text: string) => T; readonly formatItem?: (value: T) => string; readonly min?: number },
): ParamSpec<readonly T[]> {
  return spec(
    'list',
    options,
    (text) => listItems(text, options.min).map((s) => options.item(s)),
    (values) => values.map((v) => (options.formatItem ? options.formatItem(v) : String(v))).join(','),
  )
}

/** A point in time: ISO-8601 (as kafka-consumer-groups --to-datetime takes it), "15 minutes ago", "now", epoch millis. */
function datetime(options: Common<number> & { readonly allowFuture?: boolean }): ParamSpec<number> {
  return spec(
    'datetime',
    options,
    (text, now) => {
      const value = parseDateTime(text, now)
      if (!options.allowFuture && value > now + 1000)
        throw new ParamError(`${text} is in the future (${new Date(value).toISOString()}) — give a time that has passed`)
      return value
    },
    (value) => new Date(value).toISOString(),
  )
}

/**
 * A length of time: ISO-8601 (PT15M, P1DT2H, as --by-duration takes it) or "15m", "90s", "2h", "1d". With
 * `bareNumberMs` (for a client's `*.ms` setting) a bare number is milliseconds, as in that setting itself.
 */
function duration(options: Common<number> & { readonly minMs?: number; readonly bareNumberMs?: boolean }): ParamSpec<number> {
  return spec(
    'duration',
    options,
    (text) => {
      const ms = options.bareNumberMs && /^\s*\d+\s*$/.test(text) ? Number(text) : parseDuration(text)
      if (options.minMs !== undefined && ms < options.minMs) throw new ParamError(`${text} is shorter than ${options.minMs} ms`)
      return ms
    },
    formatDuration,
  )
}

export const param = { string, integer, count, boolean, choice, list, datetime, duration, ...clusterParams }

// --- time parsing, shared with runbooks that read times from files ----------------------------

const unitMs: Record<string, number> = {
  ms: 1,
  s: 1000,
  sec: 1000,
  second: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hour: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
}

/** "PT15M", "P1DT2H3M4.5S", "15m", "90 s", "2 hours" → milliseconds. */
export function parseDuration(text: string): number {
  const trimmed = text.trim()
  const iso = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(trimmed)
  if (iso && trimmed.length > 1 && !/T$/i.test(trimmed)) {
    const [, d = '0', h = '0', m = '0', s = '0'] = iso
    return Math.round(Number(d) * 86_400_000 + Number(h) * 3_600_000 + Number(m) * 60_000 + Number(s) * 1000)
  }
  let total = 0
  let matched = ''
  for (const part of trimmed.matchAll(/(\d+(?:\.\d+)?)\s*([a-z]+)\s*/gi)) {
    const written = part[2]!.toLowerCase()
    const ms = unitMs[written] ?? unitMs[written.replace(/s$/, '')]
    if (ms === undefined) throw new ParamError(`"${text}" has an unknown unit "${part[2]}" — use ms, s, m, h or d (or ISO-8601 like PT15M)`)
    total += Number(part[1]) * ms
    matched += part[0]
  }
  if (matched.trim() === '' || matched.replace(/\s/g, '') !== trimmed.replace(/\s/g, '')) {
    throw new ParamError(`"${text}" is not a duration — use e.g. 15m, 90s, 2h or ISO-8601 like PT15M`)
  }
  return Math.round(total)
}

export function formatDuration(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`
  if (ms % 60_000 === 0) return `${ms / 60_000}m`
  if (ms % 1000 === 0) return `${ms / 1000}s`
  return `${ms}ms`
}

/**
 * "2026-11-24T03:10:00.000Z", "2026-11-24T03:10:00" (UTC, as Kafka's tool assumes), "2026-11-24 03:10",
 * "15 minutes ago", "now", or epoch milliseconds → epoch milliseconds.
 */
export function parseDateTime(text: string, now: number): number {
  const trimmed = text.trim()
  if (trimmed.toLowerCase() === 'now') return now
  const ago = /^(.+?)\s+ago$/i.exec(trimmed)
  if (ago) return now - parseDuration(ago[1]!)
  if (/^\d{12,14}$/.test(trimmed)) return Number(trimmed)
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(trimmed)
  if (!iso) throw new ParamError(`"${text}" is not a time — use ISO-8601 (2026-11-24T03:10:00Z), "15 minutes ago", or epoch milliseconds`)
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '0', zone = 'Z'] = iso
  const normalizedZone = zone.toUpperCase() === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone
  const value = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}.${frac.padEnd(3, '0')}${normalizedZone}`)
  if (Number.isNaN(value)) throw new ParamError(`"${text}" is not a valid date and time`)
  // Date.parse rolls over impossible dates (Feb 30 → Mar 2); a typo should not silently move the rewind point.
  const check = new Date(Date.parse(`${y}-${mo}-${d}T00:00:00Z`))
  if (check.getUTCDate() !== Number(d) || check.getUTCMonth() + 1 !== Number(mo)) throw new ParamError(`"${text}" is not a valid date`)
  return value
}
