// What differs between the supported Kafka lines: the logging backend and where each CLI tool's main class lives.

/** Kafka releases with a committed jar lock, newest first; the first is the default. */
export const supportedKafkaVersions = ['4.3.1', '3.9.2'] as const

export const defaultKafkaVersion = supportedKafkaVersions[0]

export type LoggingBackend = 'log4j2' | 'reload4j'

/** Major release line as a number: 4 for "4.3.1". */
export function kafkaMajor(version: string): number {
  return Number.parseInt(version.split('.')[0] ?? '', 10)
}

/** 4.x ships log4j2 (configured by -Dlog4j2.configurationFile); 3.9 ships reload4j (-Dlog4j.configuration). */
export function loggingBackend(version: string): LoggingBackend {
  return kafkaMajor(version) >= 4 ? 'log4j2' : 'reload4j'
}

/** Eligible leader replicas (KIP-966) is a formattable feature from 4.0 on. */
export function supportsElr(version: string): boolean {
  return kafkaMajor(version) >= 4
}

const tools4: Record<string, string> = {
  'kafka-topics': 'org.apache.kafka.tools.TopicCommand',
  'kafka-consumer-groups': 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand',
  'kafka-leader-election': 'org.apache.kafka.tools.LeaderElectionCommand',
  'kafka-configs': 'kafka.admin.ConfigCommand',
  'kafka-reassign-partitions': 'org.apache.kafka.tools.reassign.ReassignPartitionsCommand',
  'kafka-features': 'org.apache.kafka.tools.FeatureCommand',
  'kafka-metadata-quorum': 'org.apache.kafka.tools.MetadataQuorumCommand',
  'kafka-get-offsets': 'org.apache.kafka.tools.GetOffsetShell',
  'kafka-console-producer': 'org.apache.kafka.tools.ConsoleProducer',
  'kafka-console-consumer': 'org.apache.kafka.tools.consumer.ConsoleConsumer',
  'kafka-dump-log': 'org.apache.kafka.tools.DumpLogSegments',
  'kafka-storage': 'kafka.tools.StorageTool',
  'kafka-delete-records': 'org.apache.kafka.tools.DeleteRecordsCommand',
  'kafka-log-dirs': 'org.apache.kafka.tools.LogDirsCommand',
  'kafka-cluster': 'org.apache.kafka.tools.ClusterTool',
  'kafka-transactions': 'org.apache.kafka.tools.TransactionsCommand',
  'kafka-broker-api-versions': 'org.apache.kafka.tools.BrokerApiVersionsCommand',
  'kafka-acls': 'org.apache.kafka.tools.AclCommand',
  'kafka-producer-perf-test': 'org.apache.kafka.tools.ProducerPerformance',
  'kafka-consumer-perf-test': 'org.apache.kafka.tools.ConsumerPerformance',
}

// In 3.9 these still lived in the Scala core jar (checked against the 3.9.2 and 4.3.1 jars).
const tools3: Record<string, string> = {
  ...tools4,
  'kafka-console-producer': 'kafka.tools.ConsoleProducer',
  'kafka-dump-log': 'kafka.tools.DumpLogSegments',
  'kafka-broker-api-versions': 'kafka.admin.BrokerApiVersionsCommand',
  'kafka-acls': 'kafka.admin.AclCommand',
}

/** Names accepted by runKafkaTool, as the bin/*.sh scripts of a Kafka distribution call them. */
export const kafkaToolNames: readonly string[] = Object.keys(tools4)

/** The Java main class behind a Kafka CLI script for this version, or null for a name Kafka does not have. */
export function toolMainClass(tool: string, version: string): string | null {
  const name = tool.replace(/\.sh$/, '')
  return (kafkaMajor(version) >= 4 ? tools4 : tools3)[name] ?? null
}
