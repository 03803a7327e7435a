// An audit trail outside the operator's disk. A hash chain on local disk can be rewritten whole by whoever holds
// the disk; so every decisive event (a plan approved, a change applied, a change undone, the end of a session that
// did any of these) is also written to a Kafka topic the team chooses — where its SIEM already reads — as a small
// JSON record: the session, the event's sequence number and its chain hash. `runbook verify` then holds the local
// chain against these anchors. Records are written idempotently with acks=all (KafkaOps.produce), keyed by the
// session id so one session's anchors stay in order in one partition (the Java producer's partition for that key).

import type { KafkaOps } from '../kafka/types.ts'
import { partitionForKey } from '../kafka/partitioner.ts'
import type { WrittenEvent } from './events.ts'
import { StopRun } from './stop-run.ts'

/** The JSON value of one anchor record. */
export interface Anchor {
  /** Format version. */
  readonly v: 1
  readonly session: string
  readonly seq: number
  /** The event's hash in the session's chain (covers every event before it). */
  readonly hash: string
  readonly event: WrittenEvent['type']
  readonly cell?: string
  /** The plan approved or applied, for a reader who does not have the transcript. */
  readonly planHash?: string
  readonly runbook: string
  readonly cluster: string | null
  readonly operator: string
  readonly at: string
}

/** Where anchors go; `write` resolves once the record is acknowledged by all in-sync replicas. */
export interface AuditTrail {
  readonly topic: string
  write(anchor: Anchor): Promise<void>
}

/** The audit topic cannot be written (or read): the one line says which topic and why. */
export class AuditTrailError extends Error {
  /** Nothing was changed when it is thrown (the trail is checked before any change). */
  readonly exitCode = 2
  constructor(message: string) {
    super(message)
    this.name = 'AuditTrailError'
  }
}

/** The events an anchor is written for: what changed the cluster, or approved changing it, and the end after them. */
export function isDecisive(event: WrittenEvent): boolean {
  return (event.type === 'confirmation' && event.accepted) || event.type === 'apply' || event.type === 'undone'
}

/** The anchor of one event of a session, from the session's own start and plans. */
export function anchorFor(session: string, log: readonly WrittenEvent[], event: WrittenEvent): Anchor {
  const start = log[0]?.type === 'session-start' ? log[0] : null
  const cell = 'cell' in event && typeof event.cell === 'string' ? event.cell : undefined
  const plan = cell === undefined ? undefined : log.findLast((e) => e.type === 'plan' && e.cell === cell && e.seq < event.seq)
  return {
    v: 1,
    session,
    seq: event.seq,
    hash: event.hash,
    event: event.type,
    ...(cell !== undefined ? { cell } : {}),
    ...(plan?.type === 'plan' ? { planHash: plan.planHash } : {}),
    runbook: start?.runbook ?? 'unknown',
    cluster: start?.cluster?.clusterId ?? null,
    operator: start ? `${start.operator}@${start.host}` : 'unknown',
    at: event.at,
  }
}

const anchorTimeoutMs = 15_000

/**
 * Opens the audit trail on a topic of the connected cluster: the topic must exist (a trail that would be created
 * on first write by auto-creation, with whatever defaults, is not the team's trail).
 */
export async function openAuditTrail(kafka: KafkaOps, topic: string): Promise<AuditTrail> {
  const partitions = await partitionCount(kafka, topic)
  return {
    topic,
    async write(anchor) {
      const partition = partitionForKey(anchor.session, partitions)
      let results
      try {
        results = await kafka.produce(topic, [{ partition, key: Buffer.from(anchor.session), value: Buffer.from(JSON.stringify(anchor)) }], {
          timeoutMs: anchorTimeoutMs,
        })
      } catch (error) {
        throw new AuditTrailError(`cannot write to audit topic ${topic} (${firstLine(error)})`)
      }
      const failed = results.find((r) => r.error || r.offset === null)
      if (failed)
        throw new AuditTrailError(`cannot write to audit topic ${topic} (${failed.error?.name ?? 'not written'}: ${failed.error?.message ?? 'no offset'})`)
    },
  }
}

async function partitionCount(kafka: KafkaOps, topic: string): Promise<number> {
  let states
  try {
    states = await kafka.partitionStates([topic])
  } catch (error) {
    throw new AuditTrailError(`cannot read audit topic ${topic} (${firstLine(error)})`)
  }
  const state = states.find((s) => s.topic === topic)
  if (!state || state.error || state.partitions.length === 0) {
    throw new AuditTrailError(`audit topic ${topic} does not exist on this cluster — create it (kafka-topics --create --topic ${topic} …)`)
  }
  return state.partitions.length
}

/** An anchor as found in the topic, with where. */
export interface FoundAnchor extends Anchor {
  readonly partition: number
  readonly offset: bigint
}

/** Every anchor of one session in the audit topic (read from the partition its key goes to), in offset order. */
export async function readAnchors(kafka: KafkaOps, topic: string, session: string, options: { readonly maxRecords?: number } = {}): Promise<FoundAnchor[]> {
  const partition = partitionForKey(session, await partitionCount(kafka, topic))
  const anchors: FoundAnchor[] = []
  const limit = options.maxRecords ?? 1_000_000
  let offset = 0n
  let read = 0
  // Bounded: each round moves the offset forward or stops; the partition is read up to its high watermark.
  for (let round = 0; round < 100_000 && read < limit; round++) {
    const [answer] = await kafka.fetchRecords([{ topic, partition, offset, maxRecords: 2000 }])
    if (!answer) break
    if (answer.error) {
      if (answer.error.name === 'OFFSET_OUT_OF_RANGE' && answer.logStartOffset !== null && answer.logStartOffset > offset) {
        offset = answer.logStartOffset
        continue
      }
      throw new AuditTrailError(`cannot read audit topic ${topic} partition ${partition} (${answer.error.name}: ${answer.error.message})`)
    }
    for (const batch of answer.batches) {
      for (const record of batch.records) {
        read++
        if (record.key?.toString() !== session || record.value === null) continue
        const anchor = parseAnchor(record.value.toString())
        if (anchor && anchor.session === session) anchors.push({ ...anchor, partition, offset: record.offset })
      }
    }
    if (answer.nextOffset <= offset || (answer.highWatermark !== null && answer.nextOffset >= answer.highWatermark)) break
    offset = answer.nextOffset
  }
  return anchors
}

function parseAnchor(text: string): Anchor | null {
  try {
    const value = JSON.parse(text) as Partial<Anchor>
    return value.v === 1 && typeof value.session === 'string' && typeof value.seq === 'number' && typeof value.hash === 'string' ? (value as Anchor) : null
  } catch {
    return null
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim()
}

/** How a session's local chain stands against its anchors: one line per disagreement. */
export function compareAnchors(events: readonly WrittenEvent[], anchors: readonly FoundAnchor[], expected: boolean): string[] {
  const problems: string[] = []
  const bySeq = new Map(events.map((e, i) => [i + 1, e]))
  for (const anchor of anchors) {
    const local = bySeq.get(anchor.seq)
    if (!local) {
      problems.push(
        `the audit topic anchors event ${anchor.seq} (${anchor.event}, partition ${anchor.partition} offset ${anchor.offset}), which the transcript no longer has: its end was cut off`,
      )
    } else if (local.hash !== anchor.hash) {
      problems.push(
        `event ${anchor.seq} (${local.type}) is not the event anchored in the audit topic (partition ${anchor.partition} offset ${anchor.offset}): the transcript was rewritten`,
      )
    }
  }
  if (expected) {
    const anchored = new Set(anchors.map((a) => a.seq))
    const missing = events.filter((e, i) => (isDecisive(e) || e.type === 'session-end') && !anchored.has(i + 1))
    const decisive = missing.filter((e) => e.type !== 'session-end' || anchors.length > 0)
    if (decisive.length > 0) {
      const first = decisive[0]!
      problems.push(
        `event ${first.seq} (${first.type}${'cell' in first ? ` ${String(first.cell)}` : ''}) has no anchor in the audit topic: it was never written there, or it was added to the transcript later`,
      )
    }
  }
  return problems
}

/**
 * Writes a session's anchors as its decisive events happen. An approval that cannot be anchored stops the run
 * before the change (nothing changed); a change that was applied but cannot be anchored stops the run after it
 * (nothing further is applied). The end of a session is anchored when anything before it was.
 */
export class SessionAnchors {
  private written = 0
  private readonly trail: AuditTrail | null
  private readonly session: { readonly id: string; readonly log: readonly WrittenEvent[] }
  constructor(trail: AuditTrail | null, session: { readonly id: string; readonly log: readonly WrittenEvent[] }) {
    this.trail = trail
    this.session = session
  }

  get topic(): string | null {
    return this.trail?.topic ?? null
  }

  /** Before a change: the approval. Throws StopRun (exit 2, nothing changed) when the trail cannot take it. */
  async approval(event: WrittenEvent | undefined, allowSkip: boolean): Promise<void> {
    if (!this.trail || !event) return
    try {
      await this.trail.write(anchorFor(this.session.id, this.session.log, event))
      this.written++
    } catch (error) {
      throw new StopRun(
        'refused',
        `${firstLine(error)} — the change was not applied${allowSkip ? ' (fix the topic, or rerun with --no-audit)' : '; fix the audit topic and rerun'}; nothing changed`,
      )
    }
  }

  /** After a change (or an undo) was applied, in this session or — for an undo — in the session it undid. */
  async change(event: WrittenEvent | undefined, of: { readonly id: string; readonly log: readonly WrittenEvent[] } = this.session): Promise<void> {
    if (!this.trail || !event) return
    try {
      await this.trail.write(anchorFor(of.id, of.log, event))
      this.written++
    } catch (error) {
      throw new StopRun(
        'failed',
        `${firstLine(error)} — the change was applied and is in the local transcript, but not in the audit trail; nothing further was applied`,
      )
    }
  }

  /** The session's end, once anything was anchored; the one line to add when the trail did not take it. */
  async end(event: WrittenEvent | undefined): Promise<string | null> {
    if (!this.trail || !event || this.written === 0) return null
    try {
      await this.trail.write(anchorFor(this.session.id, this.session.log, event))
      return null
    } catch (error) {
      return `${firstLine(error)}: the session's end is in the local transcript only`
    }
  }
}
