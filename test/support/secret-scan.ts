// Looks for secrets in every file under a folder: whole values, and for PEM keys each line of their base64
// (a key split over lines, or re-wrapped, still counts). Returns "file: what" for each find.

import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

export function findSecrets(dir: string, secrets: readonly string[]): string[] {
  const needles = secrets.flatMap((secret) => {
    if (!secret.includes('-----BEGIN')) return secret.length >= 6 ? [{ needle: secret, what: `a secret (${secret.length} characters)` }] : []
    // Key material: every full base64 line of the key body.
    return secret
      .split('\n')
      .filter((line) => /^[A-Za-z0-9+/=]{40,}$/.test(line.trim()))
      .map((line) => ({ needle: line.trim(), what: 'a line of a private key' }))
  })
  const finds: string[] = []
  const walk = (path: string) => {
    if (statSync(path).isDirectory()) return readdirSync(path).forEach((entry) => walk(join(path, entry)))
    const text = readFileSync(path, 'latin1')
    for (const { needle, what } of needles) if (text.includes(needle)) finds.push(`${path}: ${what}`)
  }
  walk(dir)
  return [...new Set(finds)]
}
