// The door of lib/kafka/log-dir: open a stopped broker's log directory for reading, after checking whose it is
// and that no broker runs on it. The batch decoder (the Kafka client's) is loaded here, on first use.

import { readFile, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { ownershipFault, parseMetaProperties } from './files.ts'
import { checkStopped } from './liveness.ts'
import { FolderReader } from './reader.ts'
import type { ExpectedOwner, LogDirReader, LogDirResult } from './types.ts'

export { describeLogDirFault } from './types.ts'
export type * from './types.ts'

/**
 * Opens `path` (one `log.dirs` entry) when meta.properties names the expected broker of the live cluster and no
 * process holds the folder's lock (nor answers on the broker's listener, when the caller gives it); otherwise the
 * reason, as a fault with one line to show (describeLogDirFault). Never writes into the folder.
 */
export async function openLogDir(path: string, expected: ExpectedOwner): Promise<LogDirResult<LogDirReader>> {
  const dir = resolve(path)
  const info = await stat(dir).catch((error: NodeJS.ErrnoException) => error)
  if (info instanceof Error) {
    if (info.code === 'ENOENT') return { ok: false, fault: { kind: 'not-found', path: dir } }
    return { ok: false, fault: { kind: 'unreadable', path: dir, why: info.message } }
  }
  if (!info.isDirectory()) return { ok: false, fault: { kind: 'not-a-log-dir', path: dir, why: 'it is a file' } }
  let text: string
  try {
    text = await readFile(join(dir, 'meta.properties'), 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') {
      const inPartition = await stat(join(dir, 'partition.metadata')).then(
        () => true,
        () => false,
      )
      const why = inPartition ? 'it is a partition folder; its parent is the log directory' : 'no meta.properties'
      return { ok: false, fault: { kind: 'not-a-log-dir', path: dir, why } }
    }
    return { ok: false, fault: { kind: 'unreadable', path: join(dir, 'meta.properties'), why: (error as Error).message } }
  }
  const identity = parseMetaProperties(text)
  if (typeof identity === 'string') return { ok: false, fault: { kind: 'not-a-log-dir', path: dir, why: identity } }
  const notOwner = ownershipFault(dir, identity, expected)
  if (notOwner) return { ok: false, fault: notOwner }
  const liveness = await checkStopped(dir, expected.endpoint)
  if (liveness.state === 'running') return { ok: false, fault: { kind: 'broker-running', path: dir, brokerId: expected.brokerId, evidence: liveness.evidence } }
  if (liveness.state === 'unknown') return { ok: false, fault: { kind: 'liveness-unknown', path: dir, brokerId: expected.brokerId, why: liveness.why } }
  const { recordBatchDecoder } = await import('../platformatic/record-batches.ts')
  return { ok: true, value: new FolderReader(dir, identity, { checks: liveness.checks }, recordBatchDecoder) }
}
