// PURE: the settings of a topic created to hold copies of another topic's records (a dead-letter copy, the
// records salvaged from a dead leader's log): as many partitions and replicas as the source, so a copy keeps its
// partition number (and a key the partition the source's partitioner gave it), deletion not compaction, and
// long enough retention for people to look.

/** A topic as a copy planner needs it. */
export interface TopicFacts {
  readonly topic: string
  readonly exists: boolean
  readonly partitions: number | null
  readonly replicationFactor: number | null
  /** Effective values by name (null: unset or unreadable). */
  readonly settings: Readonly<Record<string, string | null>>
  /** The topic's own overrides among them. */
  readonly overrides: Readonly<Record<string, string>>
}

/** The settings a copy depends on: read from the source (and from an existing destination). */
export const copySettingNames = [
  'cleanup.policy',
  'retention.ms',
  'min.insync.replicas',
  'max.message.bytes',
  'compression.type',
  'message.timestamp.type',
] as const

/** A topic to create for copies. */
export interface CopyTopic {
  readonly partitions: number
  readonly replicationFactor: number
  readonly configs: Readonly<Record<string, string>>
  /** Why each setting, one line each. */
  readonly why: readonly string[]
}

const weekMs = 7 * 24 * 3_600_000
/** Kafka's broker default for max.message.bytes (message.max.bytes). */
export const defaultMaxMessageBytes = 1_048_588

/** A numeric setting of a topic; null when unset, empty or not a number. */
export function numberSetting(facts: TopicFacts, name: string): number | null {
  const text = facts.settings[name]
  return text === null || text === undefined || text === '' || Number.isNaN(Number(text)) ? null : Number(text)
}

/** Where a copy of a record of `sourcePartition` goes in a topic of `count` partitions: the same number when it exists. */
export const copyPartition = (sourcePartition: number, count: number): number => (sourcePartition < count ? sourcePartition : sourcePartition % count)

/**
 * The topic to create for copies of `source`'s records, the largest needing about `neededBytes` in a one-record
 * batch. `liveBrokers`, when given, caps the replication factor: Kafka refuses a topic with more replicas than
 * registered brokers (the case while a broker is down).
 */
export function planCopyTopic(source: TopicFacts, neededBytes: number, liveBrokers?: number): CopyTopic {
  const configs: Record<string, string> = { 'cleanup.policy': 'delete' }
  const why: string[] = ['cleanup.policy=delete: compaction would keep only the newest copy per key, and remove a tombstone copy']
  const retention = numberSetting(source, 'retention.ms')
  const keep = retention === -1 || (retention !== null && retention >= weekMs) ? retention! : weekMs
  configs['retention.ms'] = String(keep)
  why.push(
    keep === retention
      ? `retention.ms=${keep}: the source's retention`
      : `retention.ms=${keep} (7 days): at least a week for the service's owners to look, longer than the source's ${retention ?? 'default'}`,
  )
  const minIsr = numberSetting(source, 'min.insync.replicas')
  const sourceRf = source.replicationFactor ?? 1
  const rf = liveBrokers === undefined ? sourceRf : Math.max(1, Math.min(sourceRf, liveBrokers))
  if (minIsr !== null && minIsr > 1 && rf < sourceRf && minIsr >= rf) {
    // Fewer brokers than the source's replicas: its min ISR would leave no room for one replica to fall behind.
    const kept = Math.max(1, rf - 1)
    configs['min.insync.replicas'] = String(kept)
    why.push(
      `min.insync.replicas=${kept}, not the source's ${minIsr}: with ${rf} brokers up, acks=all writes would be refused as soon as one replica falls behind`,
    )
  } else if (minIsr !== null && minIsr > 1 && minIsr <= rf) {
    configs['min.insync.replicas'] = String(minIsr)
    why.push(`min.insync.replicas=${minIsr}: as durable as the source`)
  }
  const sourceMax = numberSetting(source, 'max.message.bytes') ?? defaultMaxMessageBytes
  if (neededBytes > sourceMax || 'max.message.bytes' in source.overrides) {
    const max = Math.max(sourceMax, Math.ceil(neededBytes / 1024) * 1024)
    configs['max.message.bytes'] = String(max)
    why.push(`max.message.bytes=${max}: the copies fit (the largest needs about ${neededBytes} bytes)`)
  }
  const compression = source.overrides['compression.type']
  if (compression !== undefined) {
    configs['compression.type'] = compression
    why.push(`compression.type=${compression}: as the source`)
  }
  configs['message.timestamp.type'] = 'CreateTime'
  why.push("message.timestamp.type=CreateTime: each copy keeps the original record's timestamp")
  const partitions = source.partitions ?? 1
  why.unshift(
    rf === sourceRf
      ? `${partitions} partitions and replication factor ${rf}, as the source: a copy keeps its partition number`
      : `${partitions} partitions, as the source (a copy keeps its partition number); replication factor ${rf}, not the source's ${sourceRf}: only ${rf} broker${rf === 1 ? ' is' : 's are'} up`,
  )
  return { partitions, replicationFactor: rf, configs, why }
}
