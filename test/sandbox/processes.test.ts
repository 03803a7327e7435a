import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { isMarkedProcess, parsePid, processState, readPidFile, stateFromStatLine, terminate } from '../../lib/sandbox/processes.ts'
import { ownedNodePid } from '../../lib/sandbox/status.ts'

const children: ChildProcess[] = []
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
})

/** A stand-in for a sandbox JVM: a shell whose command line carries the sandbox's markers. */
function markedProcess(stateDir: string, nodeId: number, script = 'sleep 60'): ChildProcess {
  const child = spawn('sh', ['-c', script, 'java', `-Drunbook.sandbox=${stateDir}`, `-Drunbook.node=${nodeId}`], { stdio: 'ignore' })
  children.push(child)
  return child
}

const exited = (child: ChildProcess) =>
  new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('exit', resolve)))

describe('pid files', () => {
  it.each([
    ['12345\n', 12345],
    [' 77 ', 77],
    ['', null],
    ['abc', null],
    ['1', null],
    ['-5', null],
    ['12 13', null],
  ])('parsePid(%j) is %s', (text, pid) => {
    expect(parsePid(text)).toBe(pid)
  })

  it('a missing pid file is no pid', () => {
    expect(readPidFile(join(tmpdir(), 'no-such-dir', 'pid'))).toBeNull()
  })

  it('a pid file counts only while its process is alive and carries this sandbox and node marker', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'sandbox-'))
    const node = markedProcess(stateDir, 2)
    const pidFile = join(stateDir, 'node-2', 'pid')
    await new Promise((resolve) => setTimeout(resolve, 50))
    mkdirSync(join(stateDir, 'node-2'))
    writeFileSync(pidFile, String(node.pid))
    expect(ownedNodePid(stateDir, 2)).toBe(node.pid)
    // The same process is not node 3, and not another sandbox's node.
    expect(isMarkedProcess(node.pid!, [`-Drunbook.sandbox=${stateDir}`, '-Drunbook.node=3'])).toBe(false)
    expect(isMarkedProcess(node.pid!, [`-Drunbook.sandbox=${stateDir}-other`, '-Drunbook.node=2'])).toBe(false)
    // A reused pid: some unrelated live process.
    writeFileSync(pidFile, String(process.pid))
    expect(ownedNodePid(stateDir, 2)).toBeNull()
    writeFileSync(pidFile, String(node.pid))
    node.kill('SIGKILL')
    await exited(node)
    expect(ownedNodePid(stateDir, 2)).toBeNull()
  })
})

describe('process state', () => {
  it('reads running, paused and gone from the process table', async () => {
    const child = markedProcess('/tmp/x', 1)
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(processState(child.pid!)).toBe('running')
    process.kill(child.pid!, 'SIGSTOP')
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(processState(child.pid!)).toBe('paused')
    process.kill(child.pid!, 'SIGCONT')
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(processState(child.pid!)).toBe('running')
    child.kill('SIGKILL')
    await exited(child)
    expect(processState(child.pid!)).toBe('gone')
  })

  it.each([
    ['1234 (java) S 1 2 3', 'running'],
    ['1234 (my (odd) name) T 1 2 3', 'paused'],
    ['1234 (java) t 1 2 3', 'paused'],
    ['1234 (java) Z 1 2 3', 'gone'],
    ['1234 (java) R 1 2 3', 'running'],
    ['1234 (java) D 1 2 3', 'running'],
  ])('stat line %j → %s', (line, state) => {
    expect(stateFromStatLine(line)).toBe(state)
  })

  it('terminate: SIGTERM first (even when paused), SIGKILL when the grace runs out', async () => {
    const polite = markedProcess('/tmp/x', 1)
    await new Promise((resolve) => setTimeout(resolve, 50))
    process.kill(polite.pid!, 'SIGSTOP')
    expect(await terminate(polite.pid!, 5000)).toBe('exited')

    const stubborn = markedProcess('/tmp/x', 2, "trap '' TERM; while true; do sleep 0.1; done")
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(await terminate(stubborn.pid!, 300)).toBe('killed')
    expect(processState(stubborn.pid!)).toBe('gone')
  })
})
