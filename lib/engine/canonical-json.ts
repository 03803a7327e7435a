// JSON that is the same for the same value (sorted keys, bigints as decimal strings): plan hashes depend on it,
// and transcripts use the same bigint rule so a reader sees the offsets a plan was hashed over.

/**
 * node:crypto, loaded on the first hash: a cold `runbook sessions` with nothing recorded never hashes, and
 * loading it is ~20 of Node's own modules.
 */
export const lazyCrypto = (): typeof import('node:crypto') => process.getBuiltinModule('node:crypto')

/** Value → JSON with object keys sorted at every level; bigints become decimal strings. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value))
}

function sortKeys(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString()
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value instanceof Map) return sortKeys(Object.fromEntries(value))
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key]
      if (v !== undefined) out[key] = sortKeys(v)
    }
    return out
  }
  return value
}

/** JSON.stringify replacer for transcripts: bigints as decimal strings. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value
}

/**
 * The hash an operator approves: it covers the runbook, the cell, every field of the plan and the id of the
 * cluster it was made for — the same plan for another cluster has another hash, so no approval crosses over.
 */
export function planHash(runbookId: string, cellId: string, plan: unknown, clusterId: string | null): string {
  return lazyCrypto()
    .createHash('sha256')
    .update(canonicalJson({ runbook: runbookId, cell: cellId, plan, cluster: clusterId }))
    .digest('hex')
    .slice(0, 16)
}

/** Encodes a value so that bigints survive a round trip through a file (undo records). */
export function encodeRecord(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? { $bigint: v.toString() } : v), 2)
}

export function decodeRecord<T>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v)
      if (keys.length === 1 && keys[0] === '$bigint') return BigInt((v as { $bigint: string }).$bigint)
    }
    return v
  }) as T
}
