// Keeps secrets out of everything written down: known secret values are masked wherever they appear, and
// fields whose names say "password", "secret", "key"-material or JAAS config are masked whatever they hold.

const sensitiveName = /(password|passwd|secret|token|sasl\.jaas|jaas|ssl\.key|private[-_.]?key|credentials?)$/i
export const mask = '***'

/** Returns a function that deep-copies a value with secrets masked. */
export function redactor(secrets: readonly string[]): (value: unknown) => unknown {
  const known = secrets.filter((s) => s.length >= 3).sort((a, b) => b.length - a.length)
  const scrub = (text: string) => known.reduce((acc, secret) => acc.split(secret).join(mask), text)
  const walk = (value: unknown, name?: string): unknown => {
    if (name !== undefined && sensitiveName.test(name) && value !== null && value !== undefined && value !== '') return mask
    if (typeof value === 'string') return scrub(value)
    if (Array.isArray(value)) return value.map((v) => walk(v))
    if (value instanceof Map) return walk(Object.fromEntries(value))
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(value)) out[k] = walk(v, k)
      return out
    }
    return value
  }
  return (value) => walk(value)
}
