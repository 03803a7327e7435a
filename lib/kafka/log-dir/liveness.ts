// Is a broker still using this log directory? A running Kafka broker holds an exclusive lock on `<dir>/.lock`
// for as long as its process lives (it takes it at start-up with FileChannel.tryLock, a POSIX fcntl lock on
// Linux), paused or not; the kernel drops it the moment the process dies, however it dies. So the lock is the
// one signal that is exact, free of timing and needs no network: on Linux /proc/locks lists every lock held,
// with its holder's pid and the locked file's device and inode, and reading it takes no lock of our own (trying
// to take the lock ourselves would need the file open for writing). Elsewhere it cannot be checked from Node.
// A process answering on the broker's listener is the second check, for a folder shared with another host.

import { readdir, readFile, readlink, realpath, stat } from 'node:fs/promises'
import { connect } from 'node:net'
import { join } from 'node:path'

export type Liveness =
  | { readonly state: 'stopped'; readonly checks: readonly string[] }
  | { readonly state: 'running'; readonly evidence: string }
  | { readonly state: 'unknown'; readonly why: string }

interface LockHolder {
  readonly pid: number
  readonly sameDevice: boolean
}

/** The holders of locks on files with this inode number, from /proc/locks' text, and whether the device matched. */
export function lockHolders(procLocks: string, device: { major: number; minor: number }, inode: number): LockHolder[] {
  const holders: LockHolder[] = []
  for (const line of procLocks.split('\n')) {
    // "1: POSIX  ADVISORY  WRITE 16138 fe:00:16048867 0 EOF"; blocked waiters are listed with "->" and hold nothing.
    const match = /^\d+:\s+(?:POSIX|FLOCK|OFDLCK)\s+\S+\s+\S+\s+(-?\d+)\s+([0-9a-f]+):([0-9a-f]+):(\d+)\s/.exec(line)
    if (!match || Number(match[4]) !== inode) continue
    const sameDevice = Number.parseInt(match[2]!, 16) === device.major && Number.parseInt(match[3]!, 16) === device.minor
    holders.push({ pid: Number(match[1]), sameDevice })
  }
  return holders
}

// Linux dev_t as glibc packs it: major in bits 8-19 and 44-63, minor in bits 0-7 and 20-43.
const majorOf = (dev: number) => ((dev >>> 8) & 0xfff) | (Math.floor(dev / 2 ** 32) & 0xfffff000)
const minorOf = (dev: number) => (dev & 0xff) | ((dev >>> 12) & 0xfff00)

/**
 * Some filesystems (btrfs subvolumes, some overlays) report a different device in stat() than in /proc/locks: a
 * holder of a lock on the same inode number elsewhere is then confirmed through its open files.
 */
async function holdsOpen(pid: number, file: string): Promise<boolean> {
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[])
  for (const fd of fds) if ((await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')) === file) return true
  return false
}

async function processName(pid: number): Promise<string> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
  const args = cmdline.split('\0').filter(Boolean)
  const main = args.find((arg) => arg === 'kafka.Kafka' || arg.endsWith('.Kafka')) ?? args[0]
  return main ? `${main.split('/').at(-1)} ` : ''
}

const exitingRetries = 25
const exitingPauseMs = 200

/**
 * Who holds `<dir>/.lock`, read from /proc/locks; 'unknown' where the system has no /proc/locks. A process killed
 * a moment ago can still be listed while the kernel tears it down (its command line is already gone, its files
 * not yet closed): that holder is given a few seconds to finish dying.
 */
export async function checkLogDirLock(dir: string, procLocksPath = '/proc/locks'): Promise<Liveness> {
  for (let attempt = 0; ; attempt++) {
    const found = await lockState(dir, procLocksPath)
    if (found.state !== 'running' || !found.exiting || attempt >= exitingRetries) return found
    await new Promise((resolve) => setTimeout(resolve, exitingPauseMs))
  }
}

async function lockState(dir: string, procLocksPath: string): Promise<Liveness & { exiting?: boolean }> {
  const lockFile = join(dir, '.lock')
  const info = await stat(lockFile).catch(() => null)
  // No .lock at all: no broker ever ran on this folder as it is (a copy made without it, or an unformatted one).
  if (info === null) return { state: 'stopped', checks: [`no ${lockFile}: no broker holds this folder`] }
  let table: string
  try {
    table = await readFile(procLocksPath, 'utf8')
  } catch {
    return { state: 'unknown', why: `${procLocksPath} cannot be read on this system, so the lock on ${lockFile} cannot be checked` }
  }
  const holders = lockHolders(table, { major: majorOf(info.dev), minor: minorOf(info.dev) }, info.ino)
  const resolved = await realpath(lockFile).catch(() => lockFile)
  let holder = holders.find((h) => h.sameDevice)
  for (const other of holders) if (!holder && (await holdsOpen(other.pid, resolved))) holder = other
  if (holder) {
    const pid = holder.pid
    const name = await processName(pid)
    return { state: 'running', evidence: `process ${name}${pid} holds the lock on ${lockFile}`, exiting: name === '' && pid !== process.pid }
  }
  return { state: 'stopped', checks: [`no process holds the lock on ${lockFile} (${procLocksPath})`] }
}

/** Whether something accepts connections on the broker's listener (a paused broker still does). */
export function probeEndpoint(endpoint: { host: string; port: number }, timeoutMs = 1500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: endpoint.host, port: endpoint.port })
    const done = (answered: boolean) => {
      socket.destroy()
      resolve(answered)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}

/** Both checks: the lock, then (when the cluster gave one) the broker's listener. */
export async function checkStopped(dir: string, endpoint: { host: string; port: number } | undefined): Promise<Liveness> {
  const lock = await checkLogDirLock(dir)
  if (lock.state !== 'stopped' || endpoint === undefined) return lock
  if (await probeEndpoint(endpoint)) {
    return { state: 'running', evidence: `a process accepts connections on its listener ${endpoint.host}:${endpoint.port}` }
  }
  return { state: 'stopped', checks: [...lock.checks, `nothing answers on its listener ${endpoint.host}:${endpoint.port}`] }
}
