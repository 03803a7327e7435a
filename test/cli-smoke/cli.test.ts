// The built CLI as a user runs it (on Node, and on Bun in CI's Bun step): help, list, show, a team's own
// TypeScript and JavaScript runbooks loaded without a build step, `runbook new`, and one-line errors.

import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { launch, launchInto, launchPiped, runtime } from '../support/launcher.ts'

describe(`the runbook CLI on ${runtime}`, () => {
  it('prints help and the version', () => {
    const help = launch(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('Usage: runbook [command]')
    expect(launch(['--version']).stdout).toMatch(/^\d+\.\d+\.\d+\n$/)
  })

  it('lists and shows the built-in runbooks without a cluster', () => {
    const list = launch(['list', '--json'])
    expect(list.code).toBe(0)
    const ids = (JSON.parse(list.stdout) as { id: string; error?: string }[]).map((e) => (e.error ? `${e.id}: ${e.error}` : e.id))
    expect(ids).toEqual(expect.arrayContaining(['consumer-oom-replay', 'unclean-election']))
    const show = launch(['show', 'consumer-oom-replay'])
    expect(show.code).toBe(0)
    expect(show.stdout).toContain('Replay records a consumer lost to auto-commit')
  })

  it('lists and shows the built-in runbooks from the catalog the build wrote, exactly as the sources describe them', async () => {
    const { runCli } = await import('../support/run-cli.ts')
    const built = JSON.parse(launch(['list', '--json']).stdout) as { id: string; title: string; summary: string }[]
    const sources = JSON.parse((await runCli(['list', '--json'])).stdout) as typeof built
    const described = (entries: typeof built) => entries.map(({ id, title, summary }) => ({ id, title, summary }))
    expect(described(built)).toEqual(described(sources))
    expect(built.length).toBeGreaterThanOrEqual(4)
    for (const { id } of built) {
      expect(launch(['show', id]).stdout, id).toBe((await runCli(['show', id])).stdout)
      expect(launch(['show', id, '--markdown']).stdout, id).toBe((await runCli(['show', id, '--markdown'])).stdout)
    }
  })

  it('writes a new team runbook that then lists, shows and loads from TypeScript without a build step', () => {
    const dir = mkdtempSync(join(tmpdir(), 'team-'))
    const created = launch(['new', 'disk-pressure', '--dir', dir])
    expect(created.code).toBe(0)
    expect(created.stdout).toContain('disk-pressure.test.ts')
    const list = launch(['list', '--json', '--runbooks', dir])
    const entry = (JSON.parse(list.stdout) as { id: string; origin: string; error?: string }[]).find((e) => e.id === 'disk-pressure')
    expect(entry).toMatchObject({ id: 'disk-pressure', origin: 'team' })
    expect(entry?.error).toBeUndefined()
    const show = launch(['show', 'disk-pressure', '--runbooks', dir])
    expect(show.code).toBe(0)
    expect(show.stdout).toContain('Change retention.ms')
    expect(launch(['new', 'disk-pressure', '--dir', dir])).toMatchObject({ code: 2 })
  })

  it('loads a JavaScript team runbook and reports a broken one on one line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'team-js-'))
    writeFileSync(
      join(dir, 'hello.mjs'),
      `import { notebook } from 'kafka-runbooks'\nconst nb = notebook()({})\nexport default nb.runbook({ id: 'hello', title: 'Hello', summary: 'Says hello.', whenToUse: 'Never.', cells: [nb.explain({ id: 'hi', title: 'Hi', text: 'Hello.' })] })\n`,
    )
    writeFileSync(join(dir, 'typo.mjs'), `import { notebok } from 'kafka-runbooks'\nexport default notebok\n`)
    const list = launch(['list', '--runbooks', dir])
    expect(list.code).toBe(0)
    expect(list.stdout).toMatch(/hello \(team\)\s+Hello: Says hello\./)
    // Node and Bun word the missing export differently; both name it.
    expect(list.stdout.replace(/\s+/g, ' ')).toMatch(
      /typo\.mjs: cannot load: .*'notebok'.*'kafka-runbooks'|typo\.mjs: cannot load: .*'kafka-runbooks'.*'notebok'/,
    )
  })

  // The one-shot commands write to the pipe's descriptor themselves (bin/runbook.js): a reader that is gone
  // ends the run quietly, and one that reads everything gets every byte, in order.
  it.each([['--help'], ['list'], ['show', 'isr-shrink']])('runbook %s into a pipe: whole, or a quiet stop when the reader has gone', (...args) => {
    const whole = launch(args).stdout
    expect(launchPiped(args, 'cat')).toEqual({ code: 0, stdout: whole, stderr: '' })
    expect(launchPiped(args, 'true')).toEqual({ code: 0, stdout: '', stderr: '' })
  })

  // Any other failed write (here a full disk) stops the run too, and says so in one line: the output is incomplete.
  it.each([['--help'], ['list'], ['show', 'isr-shrink']])('runbook %s into a full disk: one line on stderr and exit 1', (...args) => {
    const result = launchInto(args, '/dev/full')
    expect(result.stderr).toMatch(
      /^runbook: could not write to standard output \(ENOSPC: no space left on device[^\n]*\) — the output is incomplete; make room where it goes, or send it elsewhere\n$/,
    )
    expect(result.code).toBe(1)
  })

  it('refuses bad input in one line with exit 2', () => {
    const result = launch(['run', 'consumer-oom-replay', '--headless'])
    expect(result.code).toBe(2)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toContain('no cluster given')
  })
})
