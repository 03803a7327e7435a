// The words of the stuck-transactions runbook: one version per Kafka line (3.9, 4.x), and the live line about
// what this cluster runs with (transaction verification, the transaction protocol version).

const common = `**Why read_committed consumers stop.** A transactional producer writes its records to each partition straight away, then asks its *transaction coordinator* (the broker leading its transactional id's partition of \`__transaction_state\`) to commit or abort. The coordinator then writes a *marker* — a control record, invisible to applications — on every partition of the transaction. Until a partition holds that marker, nobody knows whether the records before it count.

A partition's **last stable offset (LSO)** is the first offset of its oldest transaction still open (or the high watermark when none is). Consumers with \`isolation.level=read_committed\` — Kafka Streams and Flink under exactly-once, Connect sinks, most exactly-once pipelines — are served only up to the LSO. One transaction left open therefore holds back *every* record written after it on that partition, committed or not, from every such consumer. Their lag grows; on a compacted topic the log cleaner cannot clean past the LSO either. Consumers with \`read_uncommitted\` (the Java default) are not held: they have already read the open records.

**How an open transaction ends.**
- Its producer commits or aborts it (a live one does within a second or two).
- Its coordinator aborts it once it has been open longer than the producer's \`transaction.timeout.ms\` (60 s in the Java client, at most the broker's \`transaction.max.timeout.ms\`, 15 min by default), checked every \`transaction.abort.timed.out.transaction.cleanup.interval.ms\` (10 s).
- **Fencing** the transactional id (what a new producer instance with the same id does when it starts) makes the coordinator abort the open transaction at once and raise the producer epoch, so the old instance can never write again.
- A **hanging** transaction is one its coordinator does not track on this partition: no marker will ever come, whatever the timeout. Only an abort marker written on the partition directly (\`kafka-transactions abort\`, WriteTxnMarkers) ends it.

**What an abort marker does.** read_committed consumers skip every record the aborted producer wrote on the partition from its transaction's first offset up to the marker; they are never delivered, but stay in the log until retention removes them. Records of other producers — before, between and after — are untouched, and records after the marker belong to later transactions. Nothing is deleted, yet an abort cannot be undone: a committed marker can never be written for those records afterwards. read_uncommitted consumers already read them and are not told.`

export const explainText: Readonly<Record<'3.9' | '4.x', string>> = {
  '3.9': `${common}

**On this cluster (Kafka 3.9).** Since 3.6 the partition leader asks the coordinator whether the partition is part of the producer's current transaction before it appends a transactional batch (KIP-890 part 1, \`transaction.partition.verification.enable\`, on by default), and refuses it if not. That closed the usual way transactions were left hanging: a late or retried write landing after its transaction had already been ended. 3.9 has no transaction protocol version 2 (the per-transaction epoch bump of KIP-890 part 2 came with 4.0). Hanging transactions still come from verification turned off, from a marker lost in an unclean leader election or a broker fault, and from partitions written before the cluster was upgraded to 3.6.`,
  '4.x': `${common}

**On this cluster (Kafka 4.x).** The partition leader verifies with the coordinator that a transactional batch belongs to the producer's current transaction before appending it (KIP-890 part 1, \`transaction.partition.verification.enable\`, on by default since 3.6). Since 4.0, clients that speak transaction protocol version 2 (the Java client 4.0+, when the cluster's \`transaction.version\` feature is 2) also get a new producer epoch at every transaction end (KIP-890 part 2), so a stray write from an ended transaction is fenced even without verification; clients that do not speak it (kafkajs, Java clients before 4.0, and others) keep the old protocol and rely on verification alone. Hanging transactions still come from verification turned off, from a marker lost in an unclean leader election or a broker fault, and from logs carried over from clusters older than 3.6.`,
}

/** The live line: what this cluster runs with. */
export function liveSettings(verification: boolean | null, transactionVersion: number | undefined, line: string | null): string {
  const verifying =
    verification === null
      ? 'The brokers do not report `transaction.partition.verification.enable` (before 3.6): transactional writes are not verified, so hanging transactions are possible.'
      : verification
        ? 'Here `transaction.partition.verification.enable` is **on**: a new hanging transaction needs a marker lost to a fault, not a stray write.'
        : 'Here `transaction.partition.verification.enable` is **off**: a late or retried transactional write can open a transaction its coordinator never hears of — turn verification back on once this incident is over.'
  const protocol =
    line === '3.9'
      ? ''
      : transactionVersion === undefined
        ? ''
        : ` The cluster's \`transaction.version\` feature is at level ${transactionVersion}${transactionVersion >= 2 ? ' (epoch bump per transaction for clients that use it)' : ' (the old protocol for every client)'}.`
  return `${verifying}${protocol}`
}
