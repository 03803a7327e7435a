// What a cold start loads (bench/cold-start.bench.ts times it): the commands that need no cluster start without
// Node's ES module loader, without node:crypto when nothing is hashed and without node:fs/promises. Counted from
// Node's own list of the modules a process loaded, so it holds on a loaded machine where timings do not; on
// Node (Bun has no such list: under `npm run test:bun` the Node that runs npm runs these).

import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { projectRoot, runtime } from '../support/launcher.ts'

const dir = mkdtempSync(join(tmpdir(), 'cold-start-modules-'))
const hook = join(dir, 'module-list.cjs')
// The list is taken before process.stderr is first touched: creating the stream loads modules of its own.
writeFileSync(hook, `process.on('exit', () => { const list = JSON.stringify(process.moduleLoadList); process.stderr.write('\\nMODULES ' + list + '\\n') })\n`)
// Which of Node's built-in modules a command asks for, on the runtime the smoke tests run on (Bun under
// `npm run test:bun`): required, or through process.getBuiltinModule.
const askedHook = join(dir, 'asked-builtins.cjs')
writeFileSync(
  askedHook,
  `const asked = []
const Module = require('node:module')
const require_ = Module.prototype.require
Module.prototype.require = function (id) { if (id.startsWith('node:')) asked.push(id); return require_.apply(this, arguments) }
const getBuiltinModule = process.getBuiltinModule
process.getBuiltinModule = (id) => { asked.push(id); return getBuiltinModule.call(process, id) }
process.on('exit', () => process.stderr.write('\\nASKED ' + JSON.stringify(asked) + '\\n'))
`,
)
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const node = (process.versions as Record<string, string | undefined>).bun ? (process.env.npm_node_execpath ?? 'node') : process.execPath

function modulesOf(args: readonly string[], exitCode = 0): string[] {
  const result = spawnSync(node, ['-r', hook, join(projectRoot, 'bin', 'runbook.js'), ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: dir, NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: 60_000,
  })
  expect(result.status, result.stderr).toBe(exitCode)
  const line = result.stderr.split('\n').find((l) => l.startsWith('MODULES '))
  return JSON.parse(line!.slice('MODULES '.length)) as string[]
}

describe('cold starts load only what they use', () => {
  // --version reads package.json; `list -x` is a flag only parseArgs reads (and refuses, exit 2).
  it.each([[['--help']], [['list']], [['sessions']], [['show', 'isr-shrink']], [['--version']], [['list', '-x'], 2]])(
    'runbook %s starts without the ES module loader',
    (args: string[], exitCode = 0) => {
      const modules = modulesOf(args, exitCode)
      expect(modules).toContain('NativeModule internal/modules/cjs/loader')
      expect(modules.filter((m) => /internal\/modules\/esm\/(module_job|module_map|translators)$/.test(m))).toEqual([])
      expect(modules).not.toContain('NativeModule fs/promises')
    },
  )
  it.each([['--help'], ['list'], ['sessions'], ['show', 'isr-shrink']])('runbook %s writes to a pipe without creating the stream stack', (...args) => {
    // spawnSync's stdout is a pipe: the one-shot commands write to its descriptor, and no Writable is built.
    expect(modulesOf(args).filter((m) => /internal\/streams\/(writable|duplex)$/.test(m))).toEqual([])
  })
  // status is one CommonJS bundle too, with the Kafka client's own CommonJS bundle: against an address where
  // nothing listens it connects (and fails, exit 2) having loaded no ES module.
  it('runbook status starts without the ES module loader', () => {
    const modules = modulesOf(['status', '--bootstrap-server', '127.0.0.1:1'], 2)
    expect(modules.filter((m) => /internal\/modules\/esm\/(module_job|module_map|translators)$/.test(m))).toEqual([])
  })
  it('runbook sessions with nothing recorded does not load node:crypto', () => {
    expect(modulesOf(['sessions']).filter((m) => /crypto/.test(m))).toEqual([])
  })
})

describe('built-in modules a cold start asks for', () => {
  function builtinsAsked(args: readonly string[]): string[] {
    const launcher = join(projectRoot, 'bin', 'runbook.js')
    const result = spawnSync(runtime === 'bun' ? 'bun' : process.execPath, [runtime === 'bun' ? '--preload' : '-r', askedHook, launcher, ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: dir, NO_COLOR: '1' },
      encoding: 'utf8',
      timeout: 60_000,
    })
    expect(result.status, result.stderr).toBe(0)
    const line = result.stderr.split('\n').find((l) => l.startsWith('ASKED '))
    return [...new Set(JSON.parse(line!.slice('ASKED '.length)) as string[])]
  }
  // Under Bun each built-in is milliseconds of CPU (`bun -e 0` is ~9 ms in all): list and show read their files
  // through fileText and find the built-in runbooks without node:url. Node has both loaded before our code runs,
  // and reads through node:fs.
  it.each([[['list']], [['show', 'isr-shrink']]])(`runbook %s on ${runtime} asks for no node:url${runtime === 'bun' ? ' and no node:fs' : ''}`, (args) => {
    const asked = builtinsAsked(args)
    expect(asked).not.toContain('node:url')
    if (runtime === 'bun') expect(asked).not.toContain('node:fs')
  })
})
