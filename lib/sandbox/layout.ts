// Where a sandbox keeps each thing on disk; one place so that up, down, status and the reaper agree.

import { join } from 'node:path'

/** Paths of one node's files inside the sandbox's state directory. */
export interface NodePaths {
  readonly dir: string
  readonly properties: string
  readonly logConfig: string
  readonly pidFile: string
  readonly dataDir: string
  readonly logsDir: string
  /** Kafka's own log (rolled by the logging backend). */
  readonly serverLog: string
  /** The JVM's stdout and stderr: crash reports, bind errors before logging starts. */
  readonly consoleLog: string
}

export function nodePaths(stateDir: string, nodeId: number): NodePaths {
  const dir = join(stateDir, `node-${nodeId}`)
  const logsDir = join(dir, 'logs')
  return {
    dir,
    properties: join(dir, 'server.properties'),
    logConfig: join(dir, 'logging.properties'),
    pidFile: join(dir, 'pid'),
    dataDir: join(dir, 'data'),
    logsDir,
    serverLog: join(logsDir, 'server.log'),
    consoleLog: join(logsDir, 'console.log'),
  }
}

/** The sandbox's record of how it was created (version, cluster id, ports); written once, at format. */
export const manifestFile = (stateDir: string) => join(stateDir, 'sandbox.json')
export const reaperPidFile = (stateDir: string) => join(stateDir, 'reaper.pid')
export const lockFile = (stateDir: string) => join(stateDir, 'lock')
export const toolLogConfig = (stateDir: string) => join(stateDir, 'tools-logging.properties')

/** Put on every JVM's command line: how a pid is recognised as this sandbox's own and not a reused pid. */
export function processMarker(stateDir: string): string {
  return `-Drunbook.sandbox=${stateDir}`
}

export function nodeMarker(nodeId: number): string {
  return `-Drunbook.node=${nodeId}`
}
