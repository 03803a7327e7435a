// The words of the unclean-election runbook: one version per set of election rules (4.x with ELR on, 4.x with
// ELR off, 3.9), and the small phrases the tables share. Figures quoted as "in our lab" were measured on 4.3.1
// and 3.9.2 brokers (shared/research/incident-lab.md); everything else the run reads from the cluster.

import { formatCount } from '../../lib/engine/blocks.ts'
import type { ConfigSource } from '../../lib/kafka/types.ts'
import type { CandidateExactLoss } from '../../lib/plans/exact-loss.ts'
import type { ElectionRules } from '../../lib/plans/leaderless.ts'
import type { WatchDeadline } from '../../lib/plans/restart-watch.ts'

export const incidentText: Readonly<Record<ElectionRules, string>> = {
  '4.x-elr-on': `Some partitions have **no leader**. Every broker that Kafka trusts to hold all of their committed records is down, so the controller gives leadership to nobody. Until one of those brokers is back, producers to these partitions fail once their delivery timeout runs out, and their consumers stand still.

This cluster runs **Kafka 4.x with eligible leader replicas (ELR) on**. Beside the ISR, the controller keeps an ELR list: replicas removed from the ISR by a shrink that took it below \`min.insync.replicas\`. The high watermark stops moving below min ISR, so they still hold every committed record. Once the ISR is empty it also remembers the last leader as the *last known ELR*. A partition is left without a leader only when none of these brokers is alive.

Two ways out; this runbook prices both from the cluster before you pick one:

- **Wait** for a broker that holds every committed record. Nothing committed is lost; the partitions stay down until it is back.
- **Elect an out-of-sync replica** (an *unclean* election). The partitions are back in seconds, and every record that replica lacks is deleted from the others when they return. This cannot be undone.`,
  '4.x-elr-off': `Some partitions have **no leader**. Every broker that Kafka trusts to hold all of their committed records is down, so the controller gives leadership to nobody. Until one of those brokers is back, producers to these partitions fail once their delivery timeout runs out, and their consumers stand still.

This cluster runs **Kafka 4.x with eligible leader replicas (ELR) off** (the feature was left off when the cluster was formatted or upgraded). Only the ISR counts. When the last ISR member dies, Kafka leaves it listed as the ISR, so the ISR column below names the broker that holds every committed record.

Two ways out; this runbook prices both from the cluster before you pick one:

- **Wait** for that broker. Nothing committed is lost; the partitions stay down until it is back.
- **Elect an out-of-sync replica** (an *unclean* election). The partitions are back in seconds, and every record that replica lacks is deleted from the others when they return. This cannot be undone.`,
  '3.9': `Some partitions have **no leader**. Every broker that Kafka trusts to hold all of their committed records is down, so the controller gives leadership to nobody. Until one of those brokers is back, producers to these partitions fail once their delivery timeout runs out, and their consumers stand still.

This cluster runs **Kafka 3.9**, which has no eligible leader replicas: only the ISR counts. When the last ISR member dies, Kafka leaves it listed as the ISR, so the ISR column below names the broker that holds every committed record.

Two ways out; this runbook prices both from the cluster before you pick one:

- **Wait** for that broker. Nothing committed is lost; the partitions stay down until it is back.
- **Elect an out-of-sync replica** (an *unclean* election). The partitions are back in seconds, and every record that replica lacks is deleted from the others when they return. This cannot be undone.`,
}

const pickRule = `**Kafka's own unclean election is not the best one.** \`kafka-leader-election --election-type unclean\`, and the controller when \`unclean.leader.election.enable\` is on, take the *first live replica in the partition's replica list* — not the one with the most data. In our lab that cost 2,185 records where the best live replica would have lost 301. This runbook therefore reorders the replica list first (same brokers, your choice first), then elects.`

export const kafkaRulesText: Readonly<Record<ElectionRules, string>> = {
  '4.x-elr-on': `**What the controller does by itself.** It elects a live ISR member, or else a live ELR member, at once. Neither loses a committed record, though records the old leader took with \`acks=1\` after the high watermark froze are lost even then (466–520 in our lab). When none of them is alive it waits, and it never elects an out-of-sync replica unless \`unclean.leader.election.enable\` is true for the topic.

**What a restart does.**
- The **last known ELR** broker (the last leader) is elected as soon as it registers again: about 3 s after its process starts in our lab, with nothing lost. The controller logs it as an unclean election; in effect it is not one.
- Any **other ELR member** that crashed (SIGKILL, out of memory, power loss) is struck from the ELR when it registers and is **not** elected, although it holds every committed record. One that shut down cleanly keeps its place and is elected.
- A replica that was **out of sync** is never elected by a restart. But if the unclean flag is on, the return of any of the partition's brokers makes the controller elect the first *live* replica at that broker's registration, while the returning broker is still fenced: in our lab, restarting the complete broker — even the last known leader — handed leadership to the lagging one.

**An ELR member that is alive** is elected right away; a partition in that state is not waiting for you.

${pickRule}`,
  '4.x-elr-off': `**What the controller does by itself.** It elects a live ISR member, cleanly. With no live ISR member it waits, and never elects an out-of-sync replica unless \`unclean.leader.election.enable\` is true for the topic; then it does so on its periodic scan (\`unclean.leader.election.interval.ms\`, 5 minutes by default) or as soon as a broker is unfenced.

**What a restart does.**
- The broker still listed as the **ISR** is elected cleanly once it is unfenced: 2–3 s after its process starts in our lab, nothing lost.
- Every **other** dead replica was out of sync: its return elects nothing — unless the unclean flag is on, in which case its unfencing makes the controller elect the first live replica in replica order.

With ELR off, a replica that left the ISR has no special standing, however little it lags.

${pickRule}`,
  '3.9': `**What the controller does by itself.** It elects a live ISR member, cleanly. With no live ISR member it waits, and never elects an out-of-sync replica unless \`unclean.leader.election.enable\` is true for the topic; then it does so on its periodic scan (\`unclean.leader.election.interval.ms\`, 5 minutes by default) or as soon as a broker is unfenced.

**What a restart does.**
- The broker still listed as the **ISR** is elected cleanly once it is unfenced: 2–3 s after its process starts in our lab, nothing lost.
- Every **other** dead replica was out of sync: its return elects nothing — unless the unclean flag is on, in which case its unfencing makes the controller elect the first live replica in replica order.

Kafka 3.9 has no ELR: a replica that left the ISR is simply out of sync, however little it lags.

${pickRule}`,
}

export const unknowableText = `**What cannot be known while the old leader is down.** The figures above count only records whose existence the cluster proves: records another live replica holds, or that a consumer group has already read. The old leader may hold more: producers using \`acks=1\` are answered as soon as the leader has written, and what it wrote above the high watermark reached no other replica and no consumer. Those records are lost too if another replica is elected, and no API can count them while that broker is down. The real loss is *at least* the certain figure; how much more, only the old leader's files tell (\`kafka-dump-log --files <its partition folder>/<last segment>.log\`, read before it restarts: the last batch's last offset + 1 is its log end).`

/** What ends the outage when you wait, per set of election rules: the pricing prices that outage. */
export const waitingText: Readonly<Record<ElectionRules, string>> = {
  '4.x-elr-on':
    'Kafka 4.x, ELR on: waiting ends when the last known leader (its last known ELR) registers again — about 3 s after its process starts in our lab — or when an ELR member that shut down cleanly returns; an ELR member that crashed is struck from the ELR on return and does not end it. The unclean flag elects on the controller’s next periodic scan (5 min by default) or at the next broker registration.',
  '4.x-elr-off':
    'Kafka 4.x, ELR off: waiting ends when the broker still listed as the ISR is unfenced again (2–3 s after its process starts in our lab); no other returning replica ends it. The unclean flag elects on the controller’s next periodic scan (5 min by default) or when a broker is unfenced.',
  '3.9':
    'Kafka 3.9 (no ELR): waiting ends when the broker still listed as the ISR is unfenced again (2–3 s after its process starts in our lab); no other returning replica ends it. The unclean flag elects on the controller’s next periodic scan (5 min by default) or when a broker is unfenced.',
}

export const producersText: Readonly<Record<'elected' | 'clean', string>> = {
  elected: `**What producers see now.** The new leader accepts writes at once. \`acks=all\` producers get \`NOT_ENOUGH_REPLICAS\` while the ISR is below \`min.insync.replicas\` (their client retries until its delivery timeout); \`acks=1\` producers are answered, but consumers see none of those records until the ISR is back at \`min.insync.replicas\`, because the high watermark stays where the new leader's history began. Records that producers sent while the partition had no leader and that expired in their buffers were never acknowledged: the producers reported them as failed. Idempotent producers may get an error for the sequence numbers the new leader never saw (not measured in our lab).`,
  clean: `**What producers see now.** Writes are accepted again. \`acks=all\` producers get \`NOT_ENOUGH_REPLICAS\` until the ISR is back at \`min.insync.replicas\`; \`acks=1\` writes are answered but stay invisible to consumers until then. Batches that expired while the partition had no leader were reported to the producers as failed.`,
}

/** Where a config value comes from, in words; brokers describe a topic config from their own view. */
export function sourceText(source: ConfigSource | null): string {
  switch (source) {
    case 'dynamic-topic':
      return 'topic override'
    case 'dynamic-broker':
      return 'dynamic config of one broker'
    case 'dynamic-broker-default':
      return 'cluster-wide dynamic default'
    case 'static-broker':
      return "broker's server.properties"
    case 'default':
      return 'Kafka default'
    case null:
      return 'unknown'
    default:
      return source
  }
}

/** The KRaft controller resolves the flag from the topic, its own dynamic config, the cluster default and its own file. */
export function controllerCaveat(source: ConfigSource | null): string | null {
  if (source === 'static-broker' || source === 'dynamic-broker') {
    return 'the brokers report this from their own settings; the controller decides with its own server.properties and the cluster-wide default, which can differ'
  }
  if (source === 'default') return "unless the controller's own server.properties sets it"
  return null
}

export const unitWord = (unit: 'records' | 'offsets', n: bigint): string =>
  `${formatCount(n)} ${unit === 'records' ? (n === 1n ? 'record' : 'records') : n === 1n ? 'offset' : 'offsets'}`

export const brokers = (ids: readonly number[]): string => (ids.length === 1 ? `broker ${ids[0]}` : `brokers ${ids.join(', ')}`)

/** A UTC time with milliseconds (the date only when it is not the reading's day), and how long before `nowMs`. */
export function timeText(ms: number | null, nowMs: number): string {
  if (ms === null) return 'unknown'
  const iso = new Date(ms).toISOString()
  const sameDay = iso.slice(0, 10) === new Date(nowMs).toISOString().slice(0, 10)
  const shown = `${sameDay ? iso.slice(11, 23) : `${iso.slice(0, 10)} ${iso.slice(11, 23)}`} UTC`
  const ago = nowMs - ms
  return ago >= 0 ? `${shown}, ${formatAgo(ago)} ago` : shown
}

function formatAgo(ms: number): string {
  if (ms < 1000) return `${ms} ms`
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`
  return `${Math.round(ms / 3_600_000)} h`
}

/** "at least 1,234 records", or "none proven" when the cluster proves no loss for an out-of-sync replica. */
export function provenLoss(unit: 'records' | 'offsets', n: bigint): string {
  return n === 0n ? 'none proven' : `at least ${unitWord(unit, n)}`
}

/** "t-0, t-1 and 3 more" for one table cell. */
export function fewNames(names: readonly string[], max = 3): string {
  if (names.length <= max) return names.join(', ')
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`
}

/** "312 records (offsets 1,200–1,511, 03:10:01.200–03:10:04.950 UTC; 2 producers)": one candidate's exact loss in a cell. */
export function exactLossText(loss: CandidateExactLoss, nowMs: number): string {
  if (loss.records === 0)
    return loss.atLeast
      ? `at least none counted (${loss.uncounted[0] ?? (loss.cutBounded ? `cut only bounded: ${loss.cutBounded}` : 'the cut is only bounded')})`
      : 'none'
  const parts = [
    loss.first && loss.last ? `offsets ${formatCount(loss.first.offset)}–${formatCount(loss.last.offset)}` : null,
    loss.oldestTimestamp !== null && loss.newestTimestamp !== null
      ? `written ${timeText(loss.oldestTimestamp, nowMs).split(',')[0]} to ${timeText(loss.newestTimestamp, nowMs)}`
      : null,
    loss.producers.length ? `${formatCount(loss.producers.length)} producer${loss.producers.length === 1 ? '' : 's'}` : null,
    loss.transactional.aborted ? `${formatCount(loss.transactional.aborted)} in aborted transactions` : null,
    loss.transactional.open ? `${formatCount(loss.transactional.open)} in open transactions` : null,
    loss.fromLiveReplica ? `${formatCount(loss.fromLiveReplica)} of them on a live replica beyond broker ${loss.deadBroker}'s end` : null,
    loss.divergedAt !== null
      ? `this replica's log parts from broker ${loss.deadBroker}'s at offset ${formatCount(loss.divergedAt)} (it holds records of a leader epoch broker ${loss.deadBroker} never had, from an earlier unclean election): everything broker ${loss.deadBroker} holds from there is cut, not only what lies above this replica's end`
      : null,
    loss.cutBounded ? `cut only bounded: ${loss.cutBounded}` : null,
    loss.orphanedTransactions
      ? `${formatCount(loss.orphanedTransactions)} transaction marker${loss.orphanedTransactions === 1 ? '' : 's'} cut: those transactions hang until aborted`
      : null,
  ].filter(Boolean)
  return `${loss.atLeast ? 'at least ' : ''}${unitWord('records', BigInt(loss.records))} (${parts.join('; ')})`
}

/** Why a restart is watched this long, in a few words. */
export function watchBasisText(deadline: WatchDeadline): string {
  const passed = deadline.breakEvenPassed ? '; the break-even outage is already behind' : ''
  switch (deadline.basis) {
    case 'given':
      return `your --set restart-watch${passed}`
    case 'break-even':
      return 'the break-even outage: after it, waiting fails more writes than the least-loss election deletes'
    case 'delivery-timeout':
      return "the producers' delivery timeout: after it, their writes start failing"
    case 'floor':
      return `the least a broker needs to start, register and be unfenced${passed}`
    case 'cap':
      return 'a restart that takes longer is a repair: you choose again with the numbers then'
  }
}

/** Why a broker that registered again did not end the wait, per set of election rules. */
export const registeredNotLedText: Readonly<Record<ElectionRules, string>> = {
  '4.x-elr-on':
    'Kafka 4.x, ELR on: a returning broker is elected only if it is the last known leader (its last known ELR) or an ELR member that shut down cleanly; an ELR member that crashed is struck from the ELR when it registers, and an out-of-sync replica is never elected by its return. Restarting it again changes nothing.',
  '4.x-elr-off':
    'Kafka 4.x, ELR off: only the broker still listed as the ISR is elected when it is unfenced; a returning replica that had fallen out of sync is not. Restarting it again changes nothing.',
  '3.9':
    'Kafka 3.9: only the broker still listed as the ISR is elected when it is unfenced; a returning replica that had fallen out of sync is not. Restarting it again changes nothing.',
}
