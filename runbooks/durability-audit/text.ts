// The durability audit's words: what an acknowledgement promises on each Kafka line, and for every finding
// what it means for an acknowledged write and what fixing it costs.

import { counted } from '../../lib/format/counts.ts'
import type { AuditFinding, FindingKind } from '../../lib/plans/durability-audit.ts'
import { describeSource } from '../../lib/plans/durability-lines.ts'
import type { ConfigSource } from '../../lib/kafka/types.ts'
import type { ProducerRiskKind } from '../../lib/plans/producer-verdicts.ts'

const promise = `An acknowledgement is a promise about copies, and the producer chooses which promise it asks for:

- **acks=0** — no promise: the producer does not wait for an answer.
- **acks=1** — the leader has appended the record. The followers copy it a moment later. If the leader dies in between, a follower without it becomes leader, and the old leader deletes it from its own log when it rejoins: *acknowledged, then gone, and nobody gets an error*. That is how a producer with acks=1 loses data with every broker "fine".
- **acks=all** — every replica that is *in sync* has it. But the in-sync set shrinks on its own: a follower that falls behind for \`replica.lag.time.max.ms\` is dropped from it, and the leader goes on acknowledging with the copies left. \`min.insync.replicas\` is the floor: with fewer in-sync replicas than that, acks=all writes are refused (NOT_ENOUGH_REPLICAS) rather than acknowledged with too few copies. Kafka enforces min(min.insync.replicas, replicas), so with \`min.insync.replicas=1\` — the Kafka default — the floor is the leader alone, and acks=all degrades to acks=1 exactly when brokers are struggling.

The topic decides the rest. One replica means one copy whatever the producer asks. Replicas in the same rack (or zone, as \`broker.rack\` names it) fail together. And \`unclean.leader.election.enable=true\` lets Kafka, when no in-sync replica is left, make a lagging replica leader: every record it lacks is removed from the others, acks=all records included.

This audit reads those settings for every topic — with **where** each value comes from, since a topic override, a cluster default and a server.properties line are fixed in different places — and ranks what each topic would lose. A broker never sees a producer's acks: point the audit at producer configurations (\`--set producer-config=app.properties\`) to have them judged against the topics they write.`

/** What an acknowledgement promises, with the ending for the Kafka line in front of the operator. */
export const whatCanBeLost: Readonly<Record<string, string>> = {
  '4.x-elr-on': `${promise}

**This cluster: Kafka 4.x with eligible leader replicas (ELR, KIP-966) on.** When the ISR falls below min.insync.replicas, the replicas that leave it are remembered as *eligible*: since they left while the high watermark was frozen (a leader does not advance it below min ISR), each holds every acknowledged acks=all record, and one of them can take over cleanly. With \`min.insync.replicas=1\` that never happens — the ISR never falls below 1 — so ELR protects nothing there. The controller keeps a cluster-wide \`min.insync.replicas\` record (written as 1 when ELR was enabled), and a per-broker min.insync.replicas is refused while ELR is on: change it per topic (as this runbook does) or as the cluster default. Changing a topic's min.insync.replicas clears its ELR record.`,
  '4.x-elr-off': `${promise}

**This cluster: Kafka 4.x with eligible leader replicas (ELR) off.** When the last in-sync replica dies, the partition waits for it (or for an unclean election); a follower that left the ISR under min.insync.replicas is not remembered as a safe candidate. \`kafka-features upgrade --feature eligible.leader.replicas.version=1\` turns ELR on; it then also becomes the only way to set min.insync.replicas cluster-wide (per-broker values are refused).`,
  '3.9': `${promise}

**This cluster: Kafka 3.9.** There are no eligible leader replicas: when the last in-sync replica dies, the partition waits for it to return, or for an unclean election. min.insync.replicas can be set per topic, per broker or as a cluster default; since 3.7 a leader does not advance the high watermark while the ISR is below it, so acks=1 records written then are invisible to consumers and lost if another replica takes over.`,
}

const source = (f: AuditFinding) => describeSource(String(f.facts.source ?? 'unknown') as ConfigSource)

/** What a finding means for an acknowledged write, in the audit's words. */
export function findingMeaning(f: AuditFinding): string {
  switch (f.kind) {
    case 'single-replica':
      return 'Every record exists once: acks=all waits for that one replica, the same promise as acks=1. When its broker stops, these partitions are offline; when its disk is lost, so is every record on it.'
    case 'unclean-election':
      return `When every in-sync replica of a partition is gone, Kafka makes a lagging replica leader instead of waiting, and the other replicas cut their logs back to it: records that were acknowledged — acks=all ones too — disappear without an error. Set by the ${source(f)}.`
    case 'min-isr-one':
      return `acks=all is acknowledged once the in-sync replicas have the record, and with min.insync.replicas=${f.facts.minIsr} (${source(f)}) the in-sync set may be the leader alone: a follower that lags is dropped silently, and the leader then holds acknowledged records that exist nowhere else. Its disk failing, or an unclean election, loses them.`
    case 'min-isr-equals-rf':
      return `acks=all needs all ${f.facts.rf} replicas in sync: one broker down — a crash, or a rolling restart — stops acks=all writes to its partitions (NOT_ENOUGH_REPLICAS) until it is back. Nothing is lost; writes stop.`
    case 'min-isr-above-rf':
      return `Kafka enforces min(min.insync.replicas, replicas) = ${f.facts.rf}, so writes behave as if it were ${f.facts.rf}. But kafka-topics --under-min-isr-partitions and monitoring compare with ${f.facts.minIsr}, and report every partition as under min ISR for good (measured on 4.3.1).`
    case 'one-rack':
      return `Every copy of ${counted(f.partitions, 'partition')} sits in rack ${f.facts.racks}: one rack (or zone) failure takes all of them — offline, and gone if the rack's storage goes. More replicas in the same rack do not help.`
    case 'mixed-replication':
      return `Partitions of the same topic have ${f.facts.factors} replicas — usually a reassignment left half done. The audit judges each topic by its weakest partition.`
    case 'default-unclean-on':
      return `Every topic without its own setting gets it (${source(f)}), including each topic created from now on.`
    case 'default-min-isr-one':
      return `Every topic without its own setting (${source(f)}) — and each new one — gets acks=all backed by one guaranteed copy.`
    case 'racks-unknown':
      return `Broker${String(f.facts.brokers).includes(',') ? 's' : ''} ${f.facts.brokers} (of ${f.facts.of}) report no broker.rack: the audit cannot tell whether their replicas share a failure domain, and Kafka's rack-aware placement cannot spread new partitions.`
    case 'brokers-disagree':
      return `The brokers resolve these settings differently (${f.facts.settings}). A partition follows its leader's setting, so it changes behaviour when leadership moves.`
    case 'elr-off':
      return 'Without eligible leader replicas, when the ISR falls below min.insync.replicas and the leader then dies, the partition stays offline even though a replica with every acknowledged record is alive.'
  }
}

/** What fixes a finding and what the fix costs; `live` adds numbers read from the cluster. */
export function findingFix(f: AuditFinding, live: { readonly targetRf: number; readonly bytesToCopy: string | null; readonly minIsr: number }): string {
  const copy = live.bytesToCopy ? ` (copies ${live.bytesToCopy}, once)` : ''
  switch (f.kind) {
    case 'single-replica':
      return `Add replicas: the reassignment plan below raises the replication factor to ${live.targetRf}${copy}; then raise min.insync.replicas to 2.`
    case 'unclean-election':
      return `Turn it off per topic (the \`unclean-off\` step: an override, undoable). Cost: a partition that loses every in-sync replica stays offline until one returns — losing data becomes an operator's decision, priced first by the unclean-election runbook.${f.facts.source === 'dynamic-broker-default' ? ' It comes from the cluster default: `kafka-configs --bootstrap-server … --alter --entity-type brokers --entity-default --add-config unclean.leader.election.enable=false` covers new topics too.' : ''}`
    case 'min-isr-one':
      return Number(f.facts.rf) >= 3
        ? `Raise min.insync.replicas to ${Math.min(live.minIsr, Number(f.facts.rf) - 1)} (the \`raise-min-isr\` step, per topic, undoable). Cost: acks=all writes are refused only while ${Number(f.facts.rf) - Math.min(live.minIsr, Number(f.facts.rf) - 1) + 1} of ${f.facts.rf} replicas are out; acks=1 and acks=0 producers are not affected.`
        : `With ${f.facts.rf} replicas, min.insync.replicas=2 means any one broker down stops acks=all writes: raise the replication factor to 3 first (the reassignment plan), then min.insync.replicas to 2.`
    case 'min-isr-equals-rf':
      return `Add a replica (\`--set replication-factor=${Number(f.facts.rf) + 1}\` exports a reassignment to ${Number(f.facts.rf) + 1} replicas), or accept one copy less so one broker may be down: \`kafka-configs --alter --entity-type topics --entity-name <topic> --add-config min.insync.replicas=${Number(f.facts.rf) - 1}\`.`
    case 'min-isr-above-rf':
      return `Set it to what is enforced (${f.facts.rf}) or to ${Number(f.facts.rf) - 1} so that one broker may be down: \`kafka-configs --alter --entity-type topics --entity-name <topic> --add-config min.insync.replicas=${Number(f.facts.rf) - 1}\`.`
    case 'one-rack':
      return `Move a replica of each partition to another rack: the reassignment plan below${copy}.`
    case 'mixed-replication':
      return 'Finish or roll back the reassignment: `kafka-reassign-partitions --bootstrap-server … --list`, then `--verify` with its file.'
    case 'default-unclean-on':
      return '`kafka-configs --bootstrap-server … --alter --entity-type brokers --entity-default --add-config unclean.leader.election.enable=false` (the topics listed above get their own override from this runbook).'
    case 'default-min-isr-one':
      return `\`kafka-configs --bootstrap-server … --alter --entity-type brokers --entity-default --add-config min.insync.replicas=${live.minIsr}\` — but every inheriting topic with 2 replicas then stops acks=all writes when one broker is down: check the topic list first. On 4.x with ELR on this cluster-wide value is the only level above topics (per-broker changes are refused).`
    case 'racks-unknown':
      return "Set broker.rack in each broker's server.properties (read at start: a rolling restart), then run the audit again."
    case 'brokers-disagree':
      return 'Make server.properties agree on every broker, or set the value once as a cluster default (kafka-configs --entity-default).'
    case 'elr-off':
      return '`kafka-features --bootstrap-server … upgrade --feature eligible.leader.replicas.version=1` (metadata.version 4.0-IV1 or later).'
  }
}

export const severityLabel: Readonly<Record<AuditFinding['severity'], string>> = { high: 'HIGH', medium: 'MEDIUM', low: 'LOW', info: 'INFO' }

/** Kinds whose fix is a reassignment (more replicas, or replicas in more racks). */
export const placementKinds: ReadonlySet<FindingKind> = new Set(['single-replica', 'one-rack'])

/** What a producer risk means on the topics listed with it. */
export function producerRiskText(
  kind: ProducerRiskKind,
  facts: { readonly refusal: string | null; readonly retries: number; readonly retryBudgetMs: number | null; readonly maxInFlight: number | null },
): string {
  switch (kind) {
    case 'producer-refused':
      return facts.refusal ?? 'the client refuses this configuration'
    case 'producer-acks-none':
      return 'acks=0: the producer never learns whether a record arrived; a leader change or a full disk loses it silently. Fix: acks=all.'
    case 'producer-acks-leader':
      return 'acks=1: acknowledged once the leader wrote it. If the leader dies before a follower copied it, the new leader lacks it and the old one deletes it on return — acknowledged, then gone, no error. No topic setting prevents this. Fix: acks=all with idempotence; cost: each request waits one replication round trip.'
    case 'producer-one-copy':
      return 'acks=all, but the topic lets one broker satisfy it (one replica, or min.insync.replicas=1): the producer is right, the topic is not — fix the topic.'
    case 'producer-unclean':
      return 'unclean leader election on the topic can remove records this producer saw acknowledged: turn it off on the topic.'
    case 'producer-no-retries':
      return 'retries=0: a leader change or a timeout fails the send; the record is lost unless the application retries it itself.'
    case 'producer-few-retries':
      return `kafkajs gives up after ${facts.retries} retries (about ${Math.round((facts.retryBudgetMs ?? 0) / 1000)} s of backoff): a leader election that takes longer (a crashed broker is noticed after broker.session.timeout.ms, 9 s by default) fails the send. Raise retry.retries.`
    case 'producer-duplicates':
      return `not idempotent: a retry after a lost answer writes the record twice${facts.maxInFlight === null || facts.maxInFlight > 1 ? ', and with several requests in flight a retried batch can land after a later one' : ''}. Fix: enable.idempotence=true (kafkajs: idempotent: true).`
  }
}
