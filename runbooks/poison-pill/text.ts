// The words of the poison-pill runbook: what a poison record does to a group on each Kafka line and protocol,
// how a crash loop reads in the samples, and what the evidence about the record points to.

import { counted, formatCount, formatSeconds, iso } from '../../lib/engine/blocks.ts'
import type { GroupChurn, StuckVerdict } from '../../lib/plans/stuck-partitions.ts'
import type { Look } from './notebook.ts'

const howItHappens = `A consumer group reads each partition in order and commits how far it got. When the service cannot get past one record — its deserializer throws on the bytes, a field it needs is missing, a value trips a bug, a retry loop never gives up — that partition's committed offset stands still while records keep arriving behind it. If the error kills the process, its orchestrator restarts it, the new consumer resumes at the committed offset, gets the same record and dies again: a crash loop. Nothing in Kafka marks a record as bad. Getting out is a decision: fix the service, or move the group's committed offset past the record — and keep a copy of it, because a skipped record is otherwise never handled by anyone.

The committed offset is where a restart resumes, which is not always the record that fails. A service that commits once per batch (the Java consumer's auto-commit at the next poll, kafkajs after each batch) resumes at the start of the batch, and handles the records before the bad one again on every restart: duplicates, each time. The error the service logs names the offset it failed on; give it as \`offset\` when you have it.`

const classicGroups = `A **classic** group rebalances as a whole. Every restart is a JoinGroup with a new member id; with an eager assignor (range and round-robin in the Java client, kafkajs's own) every member stops consuming until the rebalance completes, and a member killed without leaving holds that rebalance up until its \`session.timeout.ms\` runs out (45 s by default in the Java client, 30 s in kafkajs). So a crash loop stalls the healthy partitions too — for longer or shorter depending on which member gets the bad partition next, and that member may then crash as well. DescribeGroups does not report a classic group's generation: the churn shows as member ids that come and go.`

export const whatAPoisonPillDoes: Readonly<Record<'4.x' | '3.9', string>> = {
  '4.x': `${howItHappens}

On Kafka 4.x a group speaks one of two protocols. ${classicGroups}

A **KIP-848** group (\`group.protocol=consumer\`, generally available since 4.0) has no group-wide barrier: the coordinator assigns partitions member by member and bumps the group epoch on every join and leave. The other members keep consuming; the crashed member's partitions move only when the broker fences it after \`group.consumer.session.timeout.ms\` (45 s by default), and then the poison moves with them to another member. Its crash loop shows as a group epoch that keeps rising.

Either way, Kafka accepts an administrator's change of the committed offsets only while the group has no members: stop every consumer first.`,
  '3.9': `${howItHappens}

On Kafka 3.9 groups use the classic protocol (the KIP-848 consumer protocol is not generally available before 4.0). ${classicGroups}

Kafka accepts an administrator's change of the committed offsets only while the group has no members: stop every consumer first.`,
}

export function describeVerdict(verdict: StuckVerdict): string {
  switch (verdict) {
    case 'crash-loop':
      return 'crash loop'
    case 'alone':
      return 'stuck alone'
    case 'no-progress':
      return 'no progress'
    case 'stopped':
      return 'stopped'
  }
}

/** One sentence about what the members did during the sample, in the terms of the group's protocol. */
export function describeChurn(churn: GroupChurn, type: string, sampledMs: number): string {
  const over = sampledMs > 0 ? ` over ${formatSeconds(sampledMs)}` : ''
  const epoch =
    churn.epochFrom !== null && churn.epochTo !== null
      ? ` The group epoch went from ${churn.epochFrom} to ${churn.epochTo}: ${counted(churn.epochTo - churn.epochFrom, 'membership change')}.`
      : ''
  const states = churn.states.length ? ` States seen: ${churn.states.join(', ')}.` : ''
  if (churn.crashLoop) {
    return type === 'consumer'
      ? `Crash loop${over}: ${counted(churn.membersSeen, 'member id')} seen (${formatCount(churn.joined)} joined, ${formatCount(churn.left)} left).${epoch}${states} In a KIP-848 group the other members keep consuming; the stuck partition moves to another member each time the broker fences the crashed one.`
      : `Crash loop${over}: ${counted(churn.membersSeen, 'member id')} seen (${formatCount(churn.joined)} joined, ${formatCount(churn.left)} left) — every restart joins as a new member and sets off a rebalance.${states}`
  }
  return `Members steady${over}: ${counted(churn.membersSeen, 'member id')} seen, none came or went.${epoch}${states}`
}

/** How long the record can have held the group up, from its own timestamp. */
export function describeRecordAge(timestampMs: number, nowMs: number, timestampType: 'create' | 'log-append'): string {
  const age = nowMs - timestampMs
  const clock = timestampType === 'create' ? "the producer's clock" : "the broker's clock (LogAppendTime)"
  if (age < 0) return `written at ${iso(timestampMs)} by ${clock}, which is ahead of this machine's: its age says nothing`
  return `written at ${iso(timestampMs)} (${clock}), ${formatSeconds(age)} ago: the group cannot have reached it earlier, so it has been stuck on it for at most that long`
}

/** What the stuck record's evidence points to, for the "skip nothing" option. */
export function evidenceSays(look: Look): string {
  const judged = look.judged[look.location.index]
  if (look.location.how === 'odd' && judged?.odd.reason)
    return `the record is unlike its neighbours (${judged.odd.reason}): a deserializer or a parser that does not handle it — make the service catch it and dead-letter it itself`
  if (look.location.how === 'given') return 'you named the record from the service’s error: the service must handle or dead-letter that input'
  return 'the record looks like its neighbours: the bug may be in the service (a value it mishandles, a dependency it calls) — read its error log before skipping anything'
}
