// The configs the fake knows: their Kafka defaults and the broker setting each topic setting falls back to.
// Enough for the settings runbooks reason about; a name outside this list is refused as Kafka refuses it.

export type ConfigKind = 'int' | 'long' | 'boolean' | 'string' | 'list' | 'double'

export interface TopicConfigSpec {
  readonly kind: ConfigKind
  /** Kafka's default when nothing overrides it. */
  readonly defaultValue: string
  /** The broker setting a topic inherits (`log.retention.ms` for `retention.ms`), when there is one. */
  readonly brokerSynonym: string | null
  readonly min?: number
}

/** Topic-level configs: the defaults are Kafka 3.9 / 4.x's. */
export const topicConfigs: Readonly<Record<string, TopicConfigSpec>> = {
  'min.insync.replicas': { kind: 'int', defaultValue: '1', brokerSynonym: 'min.insync.replicas', min: 1 },
  'unclean.leader.election.enable': { kind: 'boolean', defaultValue: 'false', brokerSynonym: 'unclean.leader.election.enable' },
  'retention.ms': { kind: 'long', defaultValue: '604800000', brokerSynonym: 'log.retention.ms', min: -1 },
  'retention.bytes': { kind: 'long', defaultValue: '-1', brokerSynonym: 'log.retention.bytes', min: -1 },
  'cleanup.policy': { kind: 'list', defaultValue: 'delete', brokerSynonym: 'log.cleanup.policy' },
  'segment.bytes': { kind: 'int', defaultValue: '1073741824', brokerSynonym: 'log.segment.bytes', min: 1048576 },
  'segment.ms': { kind: 'long', defaultValue: '604800000', brokerSynonym: 'log.roll.ms', min: 1 },
  'max.message.bytes': { kind: 'int', defaultValue: '1048588', brokerSynonym: 'message.max.bytes', min: 0 },
  'compression.type': { kind: 'string', defaultValue: 'producer', brokerSynonym: 'compression.type' },
  'message.timestamp.type': { kind: 'string', defaultValue: 'CreateTime', brokerSynonym: 'log.message.timestamp.type' },
  'leader.replication.throttled.replicas': { kind: 'list', defaultValue: '', brokerSynonym: null },
  'follower.replication.throttled.replicas': { kind: 'list', defaultValue: '', brokerSynonym: null },
  'delete.retention.ms': { kind: 'long', defaultValue: '86400000', brokerSynonym: 'log.cleaner.delete.retention.ms', min: 0 },
  'min.cleanable.dirty.ratio': { kind: 'double', defaultValue: '0.5', brokerSynonym: 'log.cleaner.min.cleanable.ratio' },
}

export interface BrokerConfigSpec {
  readonly kind: ConfigKind
  readonly defaultValue: string | null
  /** false for settings only server.properties can set (Kafka refuses a dynamic change). */
  readonly dynamic: boolean
  readonly min?: number
}

/** Broker-level configs: the topic synonyms above plus the replication settings runbooks touch. */
export const brokerConfigs: Readonly<Record<string, BrokerConfigSpec>> = {
  'min.insync.replicas': { kind: 'int', defaultValue: '1', dynamic: true, min: 1 },
  'unclean.leader.election.enable': { kind: 'boolean', defaultValue: 'false', dynamic: true },
  'log.retention.ms': { kind: 'long', defaultValue: null, dynamic: true, min: -1 },
  'log.retention.hours': { kind: 'int', defaultValue: '168', dynamic: false },
  'log.retention.bytes': { kind: 'long', defaultValue: '-1', dynamic: true, min: -1 },
  'log.cleanup.policy': { kind: 'list', defaultValue: 'delete', dynamic: true },
  'log.segment.bytes': { kind: 'int', defaultValue: '1073741824', dynamic: true, min: 14 },
  'log.roll.ms': { kind: 'long', defaultValue: null, dynamic: true },
  'message.max.bytes': { kind: 'int', defaultValue: '1048588', dynamic: true, min: 0 },
  'compression.type': { kind: 'string', defaultValue: 'producer', dynamic: true },
  'log.message.timestamp.type': { kind: 'string', defaultValue: 'CreateTime', dynamic: true },
  'log.cleaner.delete.retention.ms': { kind: 'long', defaultValue: '86400000', dynamic: true },
  'log.cleaner.min.cleanable.ratio': { kind: 'double', defaultValue: '0.5', dynamic: true },
  'leader.replication.throttled.rate': { kind: 'long', defaultValue: null, dynamic: true, min: 0 },
  'follower.replication.throttled.rate': { kind: 'long', defaultValue: null, dynamic: true, min: 0 },
  'default.replication.factor': { kind: 'int', defaultValue: '1', dynamic: false, min: 1 },
  'num.partitions': { kind: 'int', defaultValue: '1', dynamic: false, min: 1 },
  'auto.leader.rebalance.enable': { kind: 'boolean', defaultValue: 'true', dynamic: false },
  'replica.lag.time.max.ms': { kind: 'long', defaultValue: '30000', dynamic: false },
}

/** Why a value does not fit its config, or null when it does. */
export function invalidValue(name: string, value: string, spec: { kind: ConfigKind; min?: number }): string | null {
  const trimmed = value.trim()
  switch (spec.kind) {
    case 'int':
    case 'long': {
      if (!/^-?\d+$/.test(trimmed)) return `Invalid value ${value} for configuration ${name}: Not a number of type ${spec.kind.toUpperCase()}`
      if (spec.min !== undefined && Number(trimmed) < spec.min) return `Invalid value ${value} for configuration ${name}: Value must be at least ${spec.min}`
      return null
    }
    case 'double':
      return Number.isFinite(Number(trimmed)) && trimmed !== '' ? null : `Invalid value ${value} for configuration ${name}: Not a number of type DOUBLE`
    case 'boolean':
      return /^(true|false)$/i.test(trimmed) ? null : `Invalid value ${value} for configuration ${name}: Expected value to be either true or false`
    default:
      return null
  }
}
