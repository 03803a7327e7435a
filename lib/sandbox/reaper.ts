// A watchdog for sandboxes that belong to another process (a test runner, a drill): a tiny detached shell
// loop that notices when its owner is gone, however it died, and stops the sandbox in the safe order.
// POSIX sh rather than Node: it costs about a megabyte and needs no TypeScript loader.

import { spawn } from 'node:child_process'
import { renameSync, rmSync, writeFileSync } from 'node:fs'
import { reaperPidFile } from './layout.ts'
import { processStartTicks, readPidFile, sendSignal } from './processes.ts'
import { isReaper, reaperTitle } from './status.ts'

// $1 state dir, $2 owner pid, $3 owner start ticks (empty when unknown), $4 broker ids, $5 controller id.
// Stops brokers first (their controlled shutdown needs the controller), then the controller; SIGKILL after a grace.
// Exits on its own when `down` removes or replaces reaper.pid.
const script = `
state=$1; owner=$2; ticks=$3; brokers=$4; controller=$5
owner_alive() {
  kill -0 "$owner" 2>/dev/null || return 1
  [ -n "$ticks" ] && [ -r "/proc/$owner/stat" ] || return 0
  [ "$(sed 's/.*) //' "/proc/$owner/stat" | cut -d' ' -f20)" = "$ticks" ]
}
ours() {
  [ -r "/proc/$1/cmdline" ] || { kill -0 "$1" 2>/dev/null; return; }
  args=$(tr '\\000' '\\n' < "/proc/$1/cmdline")
  printf '%s\\n' "$args" | grep -qxF -- "-Drunbook.sandbox=$state" && printf '%s\\n' "$args" | grep -qxF -- "-Drunbook.node=$2"
}
stop_nodes() {
  pids=""
  for id in $1; do
    pid=$(cat "$state/node-$id/pid" 2>/dev/null)
    if [ -n "$pid" ] && ours "$pid" "$id"; then kill -TERM "$pid" 2>/dev/null; kill -CONT "$pid" 2>/dev/null; pids="$pids $pid"; fi
  done
  waited=0
  while [ "$waited" -lt "$2" ]; do
    left=""
    for pid in $pids; do if kill -0 "$pid" 2>/dev/null; then left="$left $pid"; fi; done
    [ -z "$left" ] && return 0
    sleep 1; waited=$((waited + 1))
  done
  for pid in $pids; do kill -KILL "$pid" 2>/dev/null; done
}
while owner_alive; do
  sleep 1
  [ "$(cat "$state/reaper.pid" 2>/dev/null)" = "$$" ] || exit 0
done
stop_nodes "$brokers" 20
stop_nodes "$controller" 10
for id in $brokers $controller; do rm -f "$state/node-$id/pid"; done
rm -f "$state/reaper.pid"
`

/** Starts the watchdog that stops this sandbox when process `ownerPid` ends; returns the watchdog's pid. */
export function attachReaper(stateDir: string, ownerPid: number, brokerIds: readonly number[], controllerId: number): number {
  detachReaper(stateDir)
  const ticks = processStartTicks(ownerPid) ?? ''
  const child = spawn('sh', ['-c', script, reaperTitle, stateDir, String(ownerPid), ticks, brokerIds.join(' '), String(controllerId)], {
    detached: true,
    stdio: 'ignore',
  })
  child.on('error', () => {})
  child.unref()
  if (child.pid === undefined) return -1
  const file = reaperPidFile(stateDir)
  writeFileSync(`${file}.tmp`, String(child.pid))
  renameSync(`${file}.tmp`, file)
  return child.pid
}

/** Stops the sandbox's watchdog, if one is attached (it would otherwise stop a sandbox someone else now owns). */
export function detachReaper(stateDir: string): void {
  const file = reaperPidFile(stateDir)
  const pid = readPidFile(file)
  rmSync(file, { force: true })
  if (pid !== null && isReaper(pid, stateDir)) sendSignal(pid, 'SIGTERM')
}
