// The blocks of the poison-pill runbook: the stuck partitions, the records at the committed offset, the stuck
// record itself (its payload on the screen only, unless asked), and the skip's preview.

import { type Block, code, counted, facts, formatCount, formatSeconds, iso, notice, onScreenOnly, table } from '../../lib/engine/blocks.ts'
import type { KafkaRecord } from '../../lib/kafka/types.ts'
import type { SeenRecord } from '../../lib/plans/consumer-view.ts'
import { describeShape, previewBytes, shapeOf } from '../../lib/plans/record-shape.ts'
import type { RecordJudgement, SkippedRecord, SkipPlan } from '../../lib/plans/record-skip.ts'
import type { Suspect } from '../../lib/plans/stuck-partitions.ts'
import { tpKey } from './notebook.ts'
import { describeRecordAge, describeVerdict } from './text.ts'

const maxStuckRows = 20
const short = (sha: string | null) => (sha === null ? 'null' : sha.slice(0, 12))
const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text)

/** The stuck partitions, likeliest poison first. */
export function stuckTable(suspects: readonly Suspect[], nextWrittenMs: ReadonlyMap<string, number>, nowMs: number, sampledMs: number): Block {
  const rows = suspects.slice(0, maxStuckRows).map((s) => {
    const written = nextWrittenMs.get(`${s.groupId} ${s.topic}/${s.partition}`)
    const atMost = written !== undefined && written <= nowMs ? `, ≤ ${formatSeconds(nowMs - written)}` : ''
    return [
      s.groupId,
      tpKey(s),
      describeVerdict(s.verdict),
      s.committed,
      `${formatCount(s.logEnd)}${s.grewBy > 0n ? ` (+${formatCount(s.grewBy)})` : ''}`,
      s.lag,
      `≥ ${formatSeconds(s.stuckForAtLeastMs)}${atMost}`,
      s.odd ? cut(`offset ${s.odd.offset}: ${s.odd.reason}`, 70) : '',
    ]
  })
  return table(['Group', 'Partition', 'Seen', 'Committed', 'Log end', 'Lag', 'Stuck for', 'Record unlike its neighbours'], rows, {
    title: 'Stuck partitions, likeliest poison first',
    footer: `${counted(suspects.length, 'stuck partition')}; sampled over ${formatSeconds(sampledMs)}. "Stuck for": at least the sample; at most since the next record was written.${suspects.length > maxStuckRows ? ` ${formatCount(suspects.length - maxStuckRows)} more in the transcript.` : ''}`,
  })
}

/** The rows of the records around the stuck one: the first few after the committed offset, then the stuck one and `peek` after it. */
export function recordRows(records: readonly SeenRecord[], judged: readonly RecordJudgement[], poisonIndex: number, peek: number, nowMs: number): Block {
  const shown = new Set<number>()
  for (let i = 0; i < Math.min(3, records.length); i++) shown.add(i)
  for (let i = Math.max(0, poisonIndex - 2); i <= Math.min(records.length - 1, poisonIndex + peek); i++) shown.add(i)
  const rows: (string | bigint | number)[][] = []
  let last = -1
  for (const i of [...shown].sort((a, b) => a - b)) {
    if (i > last + 1) rows.push(['…', `${counted(i - last - 1, 'record')} like these`, '', '', '', ''])
    last = i
    const r = records[i]!
    const j = judged[i]!
    const note = i === poisonIndex ? `◀ stuck here${j.odd.reason ? `: ${j.odd.reason}` : ''}` : i === 0 ? 'next for the consumer' : (j.odd.reason ?? '')
    rows.push([
      r.record.offset,
      `${iso(r.record.timestamp)} (${formatSeconds(Math.max(0, nowMs - r.record.timestamp))} ago)`,
      r.fingerprint.sizeBytes,
      short(r.fingerprint.valueSha256),
      describeShape(j.shape).split(':')[0]!,
      cut(note, 80),
    ])
  }
  return table(['Offset', 'Written', 'Bytes', 'Value SHA-256', 'Looks like', ''], rows, {
    title: 'Records from the committed offset on',
    footer: `${counted(records.length, 'record')} read after the committed offset${records.length > 0 ? ` (offsets ${records[0]!.record.offset}–${records.at(-1)!.record.offset})` : ''}`,
  })
}

/** What identifies the stuck record, without its payload: written down. */
export function recordFacts(record: SeenRecord, judged: RecordJudgement, nowMs: number, maxMessageBytes: number | null): Block[] {
  const r = record.record
  const b = record.batch
  const blocks: Block[] = [
    facts(
      [
        ['Offset', r.offset.toString()],
        ['Timestamp', describeRecordAge(r.timestamp, nowMs, r.timestampType)],
        ['Key', r.key === null ? 'null' : `${formatCount(r.key.length)} bytes, SHA-256 ${record.fingerprint.keySha256}`],
        ['Value', r.value === null ? 'null' : `${formatCount(r.value.length)} bytes, SHA-256 ${record.fingerprint.valueSha256}`],
        ['Headers', r.headers.length ? `${counted(r.headers.length, 'header')}: ${r.headers.map((h) => h.key).join(', ')}` : 'none'],
        ['Looks like', describeShape(judged.shape)],
        ['Unlike its neighbours', judged.odd.reason ?? 'no: it looks like the records around it'],
        [
          'Batch',
          `offsets ${b.baseOffset}–${b.lastOffset}, ${formatCount(b.sizeBytes)} bytes, compression ${b.compression}${b.producerId >= 0n ? `, producer ${b.producerId} epoch ${b.producerEpoch}` : ''}${b.transactional ? ', transactional' : ''}`,
        ],
      ],
      `The record at ${r.offset}`,
    ),
  ]
  if (maxMessageBytes !== null && b.sizeBytes > maxMessageBytes)
    blocks.push(
      notice(
        'warn',
        `Its batch (${formatCount(b.sizeBytes)} bytes) is larger than the topic's max.message.bytes (${formatCount(maxMessageBytes)}): it was written before the limit was lowered. Consumers that cap their fetch below its size cannot get past it (the Java consumer since 0.10.1 returns an oversized first batch anyway), and a copy of it needs a topic that accepts it.`,
      ),
    )
  return blocks
}

/** The record's key, headers and the first bytes of its value, safe for a terminal. */
export function payloadBlocks(r: KafkaRecord): Block[] {
  const key = previewBytes(r.key, 96)
  const value = previewBytes(r.value, 512)
  const describe = (p: ReturnType<typeof previewBytes>) =>
    p.encoding === 'none'
      ? p.text
      : `${p.encoding}, ${formatCount(p.totalBytes)} bytes${p.shownBytes < p.totalBytes ? `, first ${formatCount(p.shownBytes)} shown` : ''}`
  const lines: [string, string][] = [['Key', key.encoding === 'hex' ? `(${describe(key)}) ${key.text.split('\n')[0]}` : `${key.text} (${describe(key)})`]]
  for (const h of r.headers) {
    const p = previewBytes(h.value, 64)
    lines.push([`Header ${h.key}`, p.encoding === 'hex' ? `(${describe(p)}) ${p.text.split('\n')[0]}` : p.text])
  }
  lines.push(['Value', describe(value)])
  return [facts(lines, 'What it holds'), ...(value.encoding === 'none' ? [] : [{ ...code(value.text), fit: 8 } as Block])]
}

/** The payload on the screen only, unless the operator asked for it in the transcript. */
export function payloadView(r: KafkaRecord, inTranscript: boolean): Block[] {
  const blocks = payloadBlocks(r)
  if (inTranscript) return blocks
  return [
    onScreenOnly(
      blocks,
      `The record's key, headers and value were shown on the screen only; the transcript keeps its offset, sizes and SHA-256 digests (--set record-in-transcript=yes keeps the record itself).`,
    ),
  ]
}

/** The record itself for the transcript, when asked: bytes as base64. */
export function recordForTranscript(r: KafkaRecord) {
  const b64 = (bytes: Buffer | null) => (bytes === null ? null : bytes.toString('base64'))
  return {
    offset: r.offset,
    keyBase64: b64(r.key),
    valueBase64: b64(r.value),
    headers: r.headers.map((h) => ({ key: h.key, valueBase64: b64(h.value) })),
    valuePreview: previewBytes(r.value, 512).text,
  }
}

const skippedRow = (r: SkippedRecord, role: string): (string | bigint | number)[] => [
  r.fingerprint.offset,
  role,
  iso(r.timestamp),
  r.fingerprint.sizeBytes,
  short(r.fingerprint.valueSha256),
  r.odd ?? r.shape,
]

/** The skip as the operator approves it. */
export function previewBlocks(plan: SkipPlan): Block[] {
  const skipped = plan.passed.length + plan.poison.length
  const blocks: Block[] = [
    facts(
      [
        ['Group', plan.groupId],
        ['Partition', `${plan.topic}:${plan.partition} — the only partition that moves`],
        ['Committed offset', `${plan.committed} → ${plan.target}`],
        [
          'Records skipped',
          `${counted(skipped, 'record')}: ${plan.poison.length === 1 ? `the stuck record (${plan.poison[0]!.fingerprint.offset})` : `${plan.poison.length} from the stuck one (${plan.poison[0]!.fingerprint.offset}–${plan.poison.at(-1)!.fingerprint.offset})`}${plan.passed.length ? `, and the ${counted(plan.passed.length, 'record')} before it that the service handles before every crash` : ''}`,
        ],
        ['Isolation', plan.isolation === 'read_committed' ? 'read_committed (aborted records are never delivered)' : 'read_uncommitted'],
        ...(plan.dlq
          ? [
              [
                'Dead-letter copies',
                `${counted(plan.dlq.copies.length, 'record')} to ${plan.dlq.topic}:${plan.dlq.partition}${plan.dlq.create ? ' (topic created first)' : ''}`,
              ] as [string, string],
            ]
          : []),
      ],
      `Skip on ${plan.topic}:${plan.partition}`,
    ),
    table(
      ['Offset', 'Role', 'Written', 'Bytes', 'Value SHA-256', 'Looks like'],
      [
        ...plan.passed.slice(-10).map((r) => skippedRow(r, 'handled before each crash')),
        ...plan.poison.map((r) => skippedRow(r, plan.dlq ? 'skipped, copied' : 'skipped')),
      ],
      {
        title: 'Records the group will not get again',
        ...(plan.passed.length > 10
          ? { footer: `${formatCount(plan.passed.length - 10)} earlier records before the stuck one not shown (the plan lists them all)` }
          : {}),
      },
    ),
  ]
  if (plan.dlq) {
    const { dlq } = plan
    if (dlq.create)
      blocks.push(
        facts(
          [['Topic', `${dlq.topic} (does not exist: created)`], ...dlq.create.why.map((w, i) => [i === 0 ? 'Settings' : '', w] as [string, string])],
          'The dead-letter topic',
        ),
      )
    blocks.push(
      notice(
        'info',
        `Each copy is the record byte for byte — key, value, its own headers in order, its timestamp — followed by the headers ${dlq.copies[0]!.addedHeaders.map((h) => h.key).join(', ')}. A reader takes the last header of a name, so a record that was already a dead-letter copy keeps its history.`,
      ),
    )
  } else if (plan.action !== 'dlq-and-skip') {
    blocks.push(
      notice(
        'warn',
        `No copy is kept: once skipped, ${plan.poison.length === 1 ? 'the record stays' : 'the records stay'} only in the log, until retention deletes ${plan.poison.length === 1 ? 'it' : 'them'}.`,
      ),
    )
  }
  blocks.push(
    notice(
      'info',
      `Undo (\`runbook undo\`) puts the committed offset back to ${plan.committed}${plan.dlq ? `; the copies in ${plan.dlq.topic} stay there` : ''}. The same move with Kafka's own tool, blind, with the group stopped: \`kafka-consumer-groups --bootstrap-server "$KAFKA_BOOTSTRAP_SERVERS" --group ${plan.groupId} --reset-offsets --topic ${plan.topic}:${plan.partition} --to-offset ${plan.target} --execute\`.`,
    ),
  )
  return blocks
}

/** The first record's offset and shape, for the evidence lines. */
export const firstShape = (r: SeenRecord) => shapeOf(r.record.value)
