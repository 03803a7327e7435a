// What differs between two JSON-like values, as short lines a person can read ("moves[0].from: 12 → 15"):
// how an approval that no longer matches says what moved in the cluster since the plan was reviewed.

import { canonicalJson } from './canonical-json.ts'

/** Up to `limit` differences between `before` and `after`, by path; an empty list when they are the same. */
export function describeChanges(before: unknown, after: unknown, limit = 3): string[] {
  const changes: string[] = []
  let more = 0
  const note = (line: string) => {
    if (changes.length < limit) changes.push(line)
    else more++
  }
  walk(normalise(before), normalise(after), '', note)
  if (more > 0) changes.push(`and ${more} more`)
  return changes
}

/** JSON as transcripts and hashes see it: bigints as decimal strings, no undefined fields, Maps as objects. */
function normalise(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(canonicalJson(value))
}

function walk(before: unknown, after: unknown, path: string, note: (line: string) => void): void {
  if (canonicalJson(before) === canonicalJson(after)) return
  if (Array.isArray(before) && Array.isArray(after)) {
    const shared = Math.min(before.length, after.length)
    for (let i = 0; i < shared; i++) walk(before[i], after[i], `${path}[${i}]`, note)
    if (before.length !== after.length) note(`${path || 'list'}: ${before.length} → ${after.length} entries`)
    return
  }
  if (isObject(before) && isObject(after)) {
    for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
      walk(before[key], after[key], path ? `${path}.${key}` : key, note)
    }
    return
  }
  note(`${path || 'value'}: ${show(before)} → ${show(after)}`)
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

function show(value: unknown): string {
  if (value === undefined) return '(none)'
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  return text.length > 40 ? `${text.slice(0, 37)}…` : text
}
