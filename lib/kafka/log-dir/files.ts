// The small text files of a Kafka log directory, and the names of its folders and segment files. Pure parsers:
// text in, values out (null when the text is not what Kafka writes).

import type { EpochStart, ExpectedOwner, LogDirFault, LogDirIdentity, PartitionFolder, SegmentFiles } from './types.ts'

/** meta.properties: Java properties; KRaft folders have node.id, cluster.id, version=1 and (3.7+) directory.id. */
export function parseMetaProperties(text: string): LogDirIdentity | string {
  const props = new Map<string, string>()
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue
    const at = line.search(/[=:]/)
    if (at > 0) props.set(line.slice(0, at).trim(), line.slice(at + 1).trim())
  }
  const clusterId = props.get('cluster.id')
  // ZooKeeper-era folders (version 0) call the node id broker.id.
  const node = props.get('node.id') ?? props.get('broker.id')
  if (!clusterId) return 'meta.properties has no cluster.id'
  if (node === undefined || !/^\d+$/.test(node)) return 'meta.properties has no node.id'
  return { nodeId: Number(node), clusterId, directoryId: props.get('directory.id') ?? null, version: Number(props.get('version') ?? '0') }
}

/**
 * leader-epoch-checkpoint: a version line (0), a count line, then "<epoch> <start offset>" per line. Kafka writes
 * it whole through a temporary file, so a torn one is not expected; anything else is refused as unreadable.
 */
export function parseLeaderEpochCheckpoint(text: string): EpochStart[] | null {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '')
  if (lines.length < 2 || lines[0]!.trim() !== '0' || !/^\d+$/.test(lines[1]!.trim())) return null
  const count = Number(lines[1]!.trim())
  const entries: EpochStart[] = []
  for (const line of lines.slice(2, 2 + count)) {
    const match = /^\s*(\d+)\s+(\d+)\s*$/.exec(line)
    if (!match) return null
    entries.push({ epoch: Number(match[1]), startOffset: BigInt(match[2]!) })
  }
  return entries.length === count ? entries : null
}

/** partition.metadata: "version: 0" and "topic_id: <base64 uuid>". */
export function parsePartitionMetadata(text: string): string | null {
  return /^topic_id:\s*(\S+)\s*$/m.exec(text)?.[1] ?? null
}

/** recovery-point-offset-checkpoint and its siblings: a version line (0), a count, then "<topic> <partition> <offset>". */
export function parseOffsetCheckpoint(text: string): Map<string, bigint> {
  const offsets = new Map<string, bigint>()
  const lines = text.split(/\r?\n/)
  if (lines[0]?.trim() !== '0') return offsets
  for (const line of lines.slice(2)) {
    const match = /^(\S+) (\d+) (\d+)$/.exec(line.trim())
    if (match) offsets.set(`${match[1]}-${match[2]}`, BigInt(match[3]!))
  }
  return offsets
}

/** `<topic>-<partition>`, or with Kafka's `.<uuid>-delete|-future|-stray` suffix; null for any other name. */
export function parsePartitionFolder(name: string): PartitionFolder | null {
  const renamed = /^(.+)-(\d+)\.([0-9a-f]{32})-(delete|future|stray)$/.exec(name)
  if (renamed) {
    const state = renamed[4] === 'delete' ? 'deleting' : (renamed[4] as 'future' | 'stray')
    return { topic: renamed[1]!, partition: Number(renamed[2]), folder: name, state }
  }
  // Topic names are [a-zA-Z0-9._-]+: the partition is after the last dash.
  const plain = /^([a-zA-Z0-9._-]+)-(\d+)$/.exec(name)
  if (!plain) return null
  return { topic: plain[1]!, partition: Number(plain[2]), folder: name, state: 'current' }
}

/** The KRaft metadata log lives beside the partitions in a combined or single log dir; it is not a topic's. */
export const metadataLogFolder = '__cluster_metadata-0'

const segmentName = /^(\d{20})\.log(\.swap|\.deleted|\.cleaned)?$/

/** The segments of a partition folder from its file names (sizes filled in by the caller), in offset order. */
export function segmentsOf(names: readonly string[], sizeOf: (name: string) => number): SegmentFiles[] {
  const present = new Set(names)
  const segments: SegmentFiles[] = []
  for (const name of names) {
    const match = segmentName.exec(name)
    if (!match) continue
    const suffix = match[2] ?? ''
    const kind = suffix === '' ? 'log' : (suffix.slice(1) as 'swap' | 'deleted' | 'cleaned')
    segments.push({
      baseOffset: BigInt(match[1]!),
      logFile: name,
      bytes: sizeOf(name),
      kind,
      hasIndex: present.has(`${match[1]}.index${suffix}`),
      hasTimeIndex: present.has(`${match[1]}.timeindex${suffix}`),
    })
  }
  return segments.sort((a, b) => (a.baseOffset === b.baseOffset ? a.kind.localeCompare(b.kind) : a.baseOffset < b.baseOffset ? -1 : 1))
}

/** The epochs as Kafka keeps them once its recovery has run: those the batches add, and none at or past the log end. */
export function epochsAfterRecovery(checkpoint: readonly EpochStart[], fromBatches: readonly EpochStart[], logEndOffset: bigint): EpochStart[] {
  const epochs = [...checkpoint]
  for (const entry of fromBatches) {
    const latest = epochs.at(-1)
    if (latest === undefined || entry.epoch > latest.epoch) epochs.push(entry)
  }
  return epochs.filter((entry) => entry.startOffset < logEndOffset)
}

/** Refuses a folder of another cluster or another broker; null when meta.properties names the expected owner. */
export function ownershipFault(path: string, identity: LogDirIdentity, expected: ExpectedOwner): LogDirFault | null {
  if (expected.clusterId !== null && identity.clusterId !== expected.clusterId) {
    return { kind: 'other-cluster', path, clusterId: identity.clusterId, expected: expected.clusterId }
  }
  if (identity.nodeId !== expected.brokerId) return { kind: 'other-broker', path, nodeId: identity.nodeId, expected: expected.brokerId }
  return null
}

/**
 * Topic ids compare as 16 bytes: partition.metadata writes Kafka's form (22 characters of URL-safe base64), a
 * client may give the dashed hexadecimal UUID form.
 */
export function sameTopicId(a: string, b: string): boolean {
  const bytes = (id: string): string => {
    const hex = id.replace(/-/g, '')
    if (/^[0-9a-f]{32}$/i.test(hex)) return hex.toLowerCase()
    return Buffer.from(id.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('hex')
  }
  return bytes(a) === bytes(b)
}
