// The cold-start argument reader against node:util's parseArgs (Bun's own under the Bun step): whenever it
// answers, parseArgs gives the same answer; where parseArgs fails or its grammar goes beyond ours, it declines.

import { parseArgs } from 'node:util'
import { describe, expect, it } from 'vitest'
import type { OptionSpec } from '../../lib/cli/command.ts'
import { parseCommonArgs } from '../../lib/cli/common-args.ts'

const options: OptionSpec = {
  json: { type: 'boolean' },
  debug: { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  runbooks: { type: 'string', multiple: true },
  'sessions-dir': { type: 'string' },
  limit: { type: 'string' },
  tag: { type: 'boolean', multiple: true },
}

type Outcome = { values: Record<string, unknown>; positionals: string[] } | { error: string }

function byParseArgs(args: readonly string[]): Outcome {
  try {
    const { values, positionals } = parseArgs({ args: [...args], options, allowPositionals: true, strict: true })
    return { values: { ...values }, positionals }
  } catch (error) {
    return { error: (error as { code?: string }).code ?? String(error) }
  }
}

function byCommonArgs(args: readonly string[]): Outcome | null {
  const parsed = parseCommonArgs(args, options)
  return parsed && { values: { ...parsed.values }, positionals: parsed.positionals }
}

describe('parseCommonArgs reads what parseArgs reads, or leaves it to parseArgs', () => {
  it.each([
    [[]],
    [['isr-shrink']],
    [['isr-shrink', '--json']],
    [['--json', 'isr-shrink', '--debug']],
    [['--runbooks', 'a', '--runbooks=b', '--runbooks', '']],
    [['--sessions-dir=/tmp/x', '--limit', '5']],
    [['--limit', '5', '--limit', '7']],
    [['--limit=']],
    [['--limit=a=b']],
    [['-', 'x', '']],
    [['--tag', '--tag']],
    [['--json', '--json']],
  ])('reads %j as parseArgs does', (args) => {
    const ours = byCommonArgs(args)
    expect(ours).not.toBeNull()
    expect(ours).toEqual(byParseArgs(args))
  })

  it.each([
    [['--bogus']],
    [['--json=1']],
    [['--limit']],
    [['--limit', '-5']],
    [['--limit', '-']],
    [['-y']],
    [['--', '--json']],
    [['--=x']],
    [['---json']],
    [['-5']],
    [['--__proto__']],
    [['--constructor']],
  ])('leaves %j to parseArgs', (args) => {
    expect(byCommonArgs(args)).toBeNull()
  })

  it('never answers differently from parseArgs on generated argument lists', () => {
    const words = [
      '--json',
      '--json=',
      '--debug',
      '--yes',
      '-y',
      '--runbooks',
      '--runbooks=d',
      '--sessions-dir',
      '--limit=3',
      '--limit',
      '--tag',
      '--',
      '-',
      '',
      'id',
      '-x',
      '--bogus',
      '5',
      '=',
      '--=',
      '---x',
      '--toString',
    ]
    // A fixed linear congruential sequence: the same lists on every run, every runtime.
    let seed = 19
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed % n
    }
    let answered = 0
    for (let run = 0; run < 4000; run++) {
      const args = Array.from({ length: next(6) }, () => words[next(words.length)]!)
      const ours = byCommonArgs(args)
      if (ours === null) continue
      answered++
      expect(ours, JSON.stringify(args)).toEqual(byParseArgs(args))
    }
    expect(answered).toBeGreaterThan(500)
  })

  it('declines any command with a default, which it does not apply', () => {
    expect(parseCommonArgs(['x'], { limit: { type: 'string', default: '20' } })).toBeNull()
  })

  it('gives values without a prototype, as parseArgs does', () => {
    expect(Object.getPrototypeOf(parseCommonArgs(['--json'], options)!.values)).toBeNull()
  })
})
