// The isr-shrink runbook's explanations, per Kafka line: how followers leave the ISR, what acks=all and acks=1
// writes get below min ISR, the frozen high watermark, and (4.x) what ELR keeps and a min ISR change clears.

const howReplicasLeave = `Each partition has a leader and followers that copy its log. The **in-sync replicas (ISR)** are the leader and the followers that keep up. A follower leaves the ISR in two ways:

- it has not caught up with the leader's log end for \`replica.lag.time.max.ms\` (30 s by default) — a stopped, slow or throttled follower of a partition that receives writes;
- its broker is **fenced** by the controller (no heartbeat for \`broker.session.timeout.ms\`): it leaves the ISR of every partition at once. A partition with no writes never drops a stopped follower for lag, so an idle partition keeps a dead or hung follower in its ISR until that broker is fenced.

A follower comes back as soon as its log end reaches the partition's high watermark (and its broker is registered and unfenced).`

const whatWritesGet = `**acks=all** is answered once every ISR member has the record, and only while the ISR has at least \`min.insync.replicas\` members (the leader caps the setting at the replica count). Below that:

- the leader refuses each write before appending it: every retry gets **NOT_ENOUGH_REPLICAS**;
- a request already waiting for a follower when the ISR shrank ends with **REQUEST_TIMED_OUT** after the producer's request timeout (it was appended on the leader but never acknowledged);
- the Java producer keeps retrying until \`delivery.timeout.ms\` (2 minutes by default) and then fails the records to the application; kafkajs gives up after its retries (5 by default).

Even before the shrink, acks=all requests wait for a follower that stopped: up to \`replica.lag.time.max.ms\`, until the leader drops it.

**acks=1** writes are still accepted, but the **high watermark stays where it was** until enough replicas are back: consumers do not see those records yet, and they are gone if leadership moves to a replica that lacks them. While the high watermark is frozen, a returning follower rejoins as soon as its log end reaches it — often at its first fetch, before it holds everything the leader has.

A partition with **exactly** \`min.insync.replicas\` in sync still takes writes, but one more replica leaving stops them: \`kafka-topics --at-min-isr-partitions\` lists those.`

const lowering = `**Lowering \`min.insync.replicas\`** on a topic lets acks=all writes through again at the producers' next request. A request that was already waiting when the ISR shrank is not released by the change itself: it completes when a newer write moves the high watermark, or ends at its timeout and is retried. A producer with several requests in flight (the Java client) gets through at once; one that awaits each send before the next (a typical kafkajs service) stays blocked until that timeout — 30 s by default (measured: writes resumed 15.6 s after the change, 30.1 s after the shrink). The price is durability: acks=all then means "acknowledged by as many copies as the new value" — with 1, by the leader alone, and a crash of that one broker before a follower copies the record loses an acknowledged write. Put it back as soon as the ISR is back: this runbook watches for that and offers the revert.`

export const howWritesStop: Readonly<Record<string, string>> = {
  '4.x-elr-on': `${howReplicasLeave}

${whatWritesGet}

**Eligible leader replicas (ELR) are on in this cluster (Kafka 4.x, KIP-966).** A replica that leaves the ISR while the ISR is already below \`min.insync.replicas\` joins the partition's ELR: it still holds every committed record, and if the leader dies it can be elected without loss. Any change of the topic's \`min.insync.replicas\` **empties the ELR of every partition of that topic** at once (measured within 31 ms): after lowering it, those replicas are no longer clean candidates until they rejoin the ISR.

${lowering}`,
  '4.x-elr-off': `${howReplicasLeave}

${whatWritesGet}

Eligible leader replicas (ELR, KIP-966) are **off** in this cluster: a replica that leaves the ISR is simply out, and if the leader dies only an ISR member can take over without an unclean election.

${lowering}`,
  '3.9': `${howReplicasLeave}

${whatWritesGet}

Kafka 3.9 has no eligible leader replicas: a replica that leaves the ISR is simply out, and if the leader dies only an ISR member can take over without an unclean election (\`kafka-topics\` prints empty \`Elr:\` columns). DescribeCluster lists only unfenced brokers on 3.9, so a fenced broker shows here as "not registered".

${lowering}`,
}

export function pickVariant(line: string | null, elr: 'on' | 'off' | 'unsupported'): string {
  if (line === '3.9' || elr === 'unsupported') return '3.9'
  return elr === 'on' ? '4.x-elr-on' : '4.x-elr-off'
}

/** What acks=all producers of each kind of partition see right now. */
export const producersSee = {
  failing:
    'acks=all: **refused** — NOT_ENOUGH_REPLICAS on every retry; a request that was waiting when the ISR shrank timed out (REQUEST_TIMED_OUT). acks=1: accepted, but invisible to consumers until the ISR is back (frozen high watermark).',
  'at-min': 'acks=all: accepted, and acknowledged by every ISR member — one more replica out and they are refused.',
  flowing: 'acks=all: accepted; fewer copies than the replication factor until the followers are back.',
  'no-leader': 'no leader: every write fails (NOT_LEADER_OR_FOLLOWER / timeouts) — this is the unclean-election runbook’s case.',
} as const

export const verdictWords = {
  'broker-down': 'broker down: nothing answers on its port, or the cluster does not list it',
  'broker-hung': 'broker hung: its process accepts connections and never answers (paused, long GC, stuck disk)',
  'broker-fenced': 'broker fenced by the controller: it stopped heartbeating (crashed, hung or cut off)',
  'offline-log-dir': 'its log directory is offline on that broker',
  throttled: 'held back by a replication throttle',
  rejoining: 'caught up to the high watermark: rejoins at its next fetch',
  'catching-up': 'catching up',
  stuck: 'fetching nothing while behind',
  'falling-behind': 'fetching, but the leader grows faster: falling further behind',
  unknown: 'unknown',
} as const

/** How many copies acks=all then waits for, in words. */
export const copies = (n: number): string => (n === 1 ? 'a single copy (the leader alone)' : `${n} copies`)
