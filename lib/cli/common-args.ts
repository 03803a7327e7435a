// A command's flags as node:util's parseArgs reads them (strict, positionals allowed), for the argument lists of
// everyday use: long options, with `=value` or the value as the next argument, booleans, strings, repeated
// options and positionals. Anything else — a short flag, `--`, an unknown option, a missing value or one that
// starts with a dash, an option with a default — returns null, and parseArgs itself decides and words the error.
// So there is one grammar, parseArgs's; this only saves loading node:util on a cold start (~12 ms of CPU under
// Bun). test/cli/common-args.test.ts holds the two equal on a table and on generated argument lists.

import type { OptionSpec } from './command.ts'

export interface ParsedFlags {
  readonly values: Record<string, string | boolean | (string | boolean)[] | undefined>
  readonly positionals: string[]
}

export function parseCommonArgs(args: readonly string[], options: OptionSpec): ParsedFlags | null {
  // parseArgs gives values without a prototype: `--constructor` must not find Object's.
  const values: ParsedFlags['values'] = Object.create(null) as ParsedFlags['values']
  const positionals: string[] = []
  for (const name in options) if (options[name]!.default !== undefined) return null
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === '-' || !arg.startsWith('-')) {
      positionals.push(arg)
      continue
    }
    if (arg === '--' || !arg.startsWith('--')) return null
    const equals = arg.indexOf('=')
    const name = equals < 0 ? arg.slice(2) : arg.slice(2, equals)
    const spec = Object.hasOwn(options, name) ? options[name]! : undefined
    if (!spec) return null
    let value: string | boolean
    if (spec.type === 'boolean') {
      if (equals >= 0) return null
      value = true
    } else if (equals >= 0) {
      value = arg.slice(equals + 1)
    } else {
      const next = args[i + 1]
      if (next === undefined || next.startsWith('-')) return null
      value = next
      i++
    }
    if (spec.multiple) ((values[name] ??= []) as (string | boolean)[]).push(value)
    else values[name] = value
  }
  return { values, positionals }
}
