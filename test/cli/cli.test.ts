import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { CommandEnv } from '../../lib/cli/command.ts'
import { describeFailure } from '../../lib/cli/failure.ts'
import { reportResult } from '../../lib/cli/run-support.ts'
import { runCli } from '../support/run-cli.ts'

const fixtures = join(import.meta.dirname, '..', 'engine', 'fixtures')

describe('runbook CLI', () => {
  it('prints help, and one line for an unknown command', async () => {
    const help = await runCli(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('Usage: runbook [command]')
    const unknown = await runCli(['frobnicate'])
    expect(unknown).toMatchObject({ code: 2, stderr: 'runbook: unknown command "frobnicate" — run `runbook --help` for the list\n' })
  })

  it('gives every command its own --help', async () => {
    for (const name of ['run', 'list', 'show', 'undo', 'sessions']) {
      const result = await runCli([name, '--help'])
      expect(result.code, name).toBe(0)
      expect(result.stdout, name).toMatch(/^Usage: runbook /)
    }
  })

  it('lists and shows a team runbook without a cluster', async () => {
    const list = await runCli(['list', '--runbooks', fixtures])
    expect(list.code).toBe(0)
    expect(list.stdout).toMatch(/topic-retention \(team\)\s+Shorten a topic’s retention/)
    const show = await runCli(['show', 'topic-retention', '--runbooks', fixtures])
    expect(show.code).toBe(0)
    expect(show.stdout).toContain('4.x:')
    expect(show.stdout).toContain('3.9:')
    expect(show.stdout).toContain('--approve set-retention=<plan hash>')
    const markdown = await runCli(['show', 'topic-retention', '--markdown', '--runbooks', fixtures])
    expect(markdown.stdout).toContain('## 4. Set retention.ms')
  })

  it('reports a runbook that does not load, and keeps the others', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'team-runbooks-'))
    writeFileSync(join(dir, 'broken.mjs'), 'export default { id: "broken" }\n')
    writeFileSync(join(dir, 'crashes.mjs'), 'throw new Error("boom at load")\n')
    const list = await runCli(['list', '--runbooks', dir, '--runbooks', fixtures])
    expect(list.code).toBe(0)
    expect(list.stdout).toContain('topic-retention')
    expect(list.stdout).toContain('broken.mjs: has no default export made with notebook(...).runbook(...)')
    expect(list.stdout).toContain('crashes.mjs: cannot load: boom at load')
  })

  it('refuses bad input with one line and exit 2', async () => {
    expect(await runCli(['show'])).toMatchObject({ code: 2, stderr: 'runbook show: which runbook? — `runbook show <id>`; `runbook list` shows them\n' })
    expect(await runCli(['show', 'nope'])).toMatchObject({ code: 2, stderr: 'runbook show: no runbook "nope" — `runbook list` shows the ones there are\n' })
    expect((await runCli(['run', 'topic-retention', '--runbooks', fixtures, '--bogus'])).stderr).toMatch(
      /^runbook run: Unknown option '--bogus'.* — run `runbook run --help`\n$/,
    )
    const noCluster = await runCli(['run', 'topic-retention', '--runbooks', fixtures, '--headless'])
    expect(noCluster.code).toBe(2)
    expect(noCluster.stderr).toBe(
      'runbook run: no cluster given — pass --bootstrap-server host:port (or set KAFKA_BOOTSTRAP_SERVERS), or start the local one with `runbook sandbox up`\n',
    )
  })

  it('lists the drills with their variants, and refuses an unknown variant in one line before starting anything', async () => {
    const json = JSON.parse((await runCli(['drill', '--list', '--json'])).stdout) as { id: string; variants?: { id: string }[] }[]
    expect(json.find((d) => d.id === 'stuck-transaction')?.variants?.map((v) => v.id)).toEqual(['ongoing', 'hanging'])
    expect(json.find((d) => d.id === 'consumer-oom')).not.toHaveProperty('variants')
    const bad = await runCli(['drill', 'stuck-transaction', '--variant', 'stale', '--follow'])
    expect(bad).toMatchObject({ code: 2, stderr: 'runbook drill: stuck-transaction has no variant "stale" — one of ongoing, hanging\n' })
  }, 120_000)

  it('lists sessions as JSON, empty at first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sessions-'))
    const result = await runCli(['sessions', '--json', '--sessions-dir', dir])
    expect(result).toMatchObject({ code: 0 })
    expect(JSON.parse(result.stdout)).toEqual([])
  })

  it('refuses an empty or unreadable sessions folder, and a bad --limit, in one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sessions-'))
    const file = join(dir, 'not-a-folder')
    writeFileSync(file, 'x')
    expect(await runCli(['sessions', '--sessions-dir', ''])).toMatchObject({
      code: 2,
      stderr: 'runbook sessions: --sessions-dir is empty — give a folder, or leave the option out for .runbook/sessions\n',
    })
    expect(await runCli(['sessions'], { env: { RUNBOOK_SESSIONS_DIR: ' ' } })).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^runbook sessions: RUNBOOK_SESSIONS_DIR is set but empty/),
    })
    const notDir = await runCli(['sessions', '--sessions-dir', file])
    expect(notDir).toMatchObject({
      code: 2,
      stderr: `runbook sessions: cannot list the sessions in ${file} (ENOTDIR) — give the sessions folder with --sessions-dir\n`,
    })
    expect(await runCli(['sessions', '--sessions-dir', dir, '--limit', 'ten'])).toMatchObject({
      code: 2,
      stderr: 'runbook sessions: --limit takes a positive whole number, not "ten"\n',
    })
  })

  it('reports its own bugs in one line, with the stack only under --debug', () => {
    const bug = new TypeError('cannot read x of undefined')
    const plain = describeFailure(bug, { debug: false, command: 'run' })
    expect(plain).toEqual({
      exitCode: 1,
      text: 'runbook run: internal error (TypeError: cannot read x of undefined) — this is a bug in runbook: rerun with --debug and report it with the stack trace',
    })
    const debug = describeFailure(bug, { debug: true, command: 'run' })
    expect(debug.text.split('\n').length).toBeGreaterThan(2)
    expect(debug.text).toContain('at ')
  })

  it('says why a run did not end well in one line on stderr, in every mode; stdout keeps the notebook or the JSON', () => {
    const result = {
      status: 'refused' as const,
      exitCode: 2,
      message: 'missing --set group=<string>\n(the consumer group); nothing changed',
      sessionId: 's1',
      sessionDir: '/tmp/s1',
      cluster: { name: 'prod-eu', origin: 'profile prod-eu (--profile)', clusterId: 'c1', kafkaLine: '4.3', elr: 'on' },
      cells: [],
    }
    for (const values of [{}, { json: true }, { yes: true }]) {
      const out: string[] = []
      const err: string[] = []
      const env = {
        stdout: { write: (t: string) => out.push(t), isTTY: false },
        stderr: { write: (t: string) => err.push(t) },
        stdin: { isTTY: false },
        env: {},
        cwd: '/',
        signal: new AbortController().signal,
      } as unknown as CommandEnv
      expect(reportResult('run', 'consumer-oom-replay', result, { values, positionals: [], raw: [] }, env)).toBe(2)
      expect(err).toEqual(['runbook run: missing --set group=<string> (the consumer group); nothing changed\n'])
      expect(out.join('')).toMatch('json' in values ? /^\{\n {2}"runbook": "consumer-oom-replay"/ : /^session: \/tmp\/s1\n$/)
    }
  })
})
