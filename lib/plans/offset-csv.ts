// The offsets file kafka-consumer-groups reads with --reset-offsets --from-file and writes with --export:
// `topic,partition,offset` for one group, or `group,topic,partition,offset` for several.

/** One line of an offsets file, for one group. */
export interface OffsetLine {
  readonly topic: string
  readonly partition: number
  readonly offset: bigint
}

/** Why a file cannot be used, with the line number a person can look at. */
export interface OffsetFileProblem {
  readonly kind: 'offsets-file'
  readonly message: string
}

/**
 * Parses an offsets file for one group. Lines with four fields name their group; only `groupId`'s are kept.
 * Empty lines are skipped; a repeated partition keeps its last line, as Kafka's tool does.
 */
export function parseOffsetsCsv(text: string, groupId: string): OffsetLine[] | OffsetFileProblem {
  const byPartition = new Map<string, OffsetLine>()
  let otherGroups = 0
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim()
    if (line === '') continue
    const fields = line.split(',').map((f) => f.trim())
    if (fields.length !== 3 && fields.length !== 4) {
      return { kind: 'offsets-file', message: `line ${i + 1} has ${fields.length} fields — expected topic,partition,offset (or group,topic,partition,offset)` }
    }
    const [group, topic, partition, offset] = fields.length === 4 ? fields : [groupId, ...fields]
    if (group !== groupId) {
      otherGroups++
      continue
    }
    if (!topic) return { kind: 'offsets-file', message: `line ${i + 1} has no topic name` }
    if (!/^\d+$/.test(partition!)) return { kind: 'offsets-file', message: `line ${i + 1}: partition "${partition}" is not a whole number` }
    if (!/^\d+$/.test(offset!)) return { kind: 'offsets-file', message: `line ${i + 1}: offset "${offset}" is not a whole number ≥ 0` }
    byPartition.set(`${topic}/${partition}`, { topic, partition: Number(partition), offset: BigInt(offset!) })
  }
  if (byPartition.size === 0) {
    return { kind: 'offsets-file', message: otherGroups > 0 ? `no line for group ${groupId} (the file names other groups)` : 'the file has no offsets' }
  }
  return [...byPartition.values()].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
}

/** Lines in the single-group format `kafka-consumer-groups --reset-offsets --from-file` accepts. */
export function formatOffsetsCsv(lines: readonly OffsetLine[]): string {
  return lines.map((l) => `${l.topic},${l.partition},${l.offset}`).join('\n') + (lines.length ? '\n' : '')
}
