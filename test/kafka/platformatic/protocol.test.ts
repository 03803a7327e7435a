// The request and answer formats this project adds to the client, checked byte by byte against Kafka's
// schemas (printed from the 4.3.1 kafka-clients jar): ElectLeaders v0-v2, and the classic assignment bytes.

import { Reader, Writer } from '@platformatic/kafka'
import { describe, expect, it } from 'vitest'
import { decodeClassicAssignment } from '../../../lib/kafka/platformatic/protocol/classic-assignment.ts'
import { electLeadersApis } from '../../../lib/kafka/platformatic/protocol/elect-leaders.ts'

type Sent = { apiKey: number; apiVersion: number; payload: Buffer; parse: (reader: Reader) => unknown }

/** A stand-in for the connection: records what the API writes and hands its parser a prepared answer. */
function capture(api: (connection: never, ...args: never[]) => void, ...args: unknown[]): Sent {
  let sent: Sent | undefined
  const connection = {
    send(apiKey: number, apiVersion: number, create: () => Writer, parser: (c: number, k: number, v: number, r: Reader) => unknown) {
      sent = { apiKey, apiVersion, payload: create().buffer, parse: (reader) => parser(1, apiKey, apiVersion, reader) }
    },
  }
  ;(api as unknown as (c: unknown, ...a: unknown[]) => void)(connection, ...args, () => {})
  return sent!
}

describe('ElectLeaders', () => {
  const topics = [{ topic: 't', partitions: [0, 1] }]

  it('v2 is flexible: compact strings and arrays, tagged fields', () => {
    const sent = capture(electLeadersApis[2], 1, topics, 30000)
    expect([sent.apiKey, sent.apiVersion]).toEqual([43, 2])
    // election_type=1, [topic_partitions]=1+1 entries, "t", [partitions]=2+1 entries 0 and 1, tags, timeout, tags
    expect(sent.payload.toString('hex')).toBe('01' + '02' + '0274' + '03' + '00000000' + '00000001' + '00' + '00007530' + '00')
  })

  it('v1 has the election type and plain arrays; v0 has no election type', () => {
    expect(capture(electLeadersApis[1], 1, topics, 30000).payload.toString('hex')).toBe(
      '01' + '00000001' + '000174' + '00000002' + '00000000' + '00000001' + '00007530',
    )
    expect(capture(electLeadersApis[0], 0, topics, 30000).payload.toString('hex')).toBe(
      '00000001' + '000174' + '00000002' + '00000000' + '00000001' + '00007530',
    )
  })

  it('reads per-partition outcomes of v2 without throwing on ELECTION_NOT_NEEDED', () => {
    const sent = capture(electLeadersApis[2], 1, topics, 30000)
    const answer = Writer.create()
      .appendInt32(0)
      .appendInt16(0)
      .appendUnsignedVarInt(2)
      .appendString('t')
      .appendUnsignedVarInt(3)
      .appendInt32(0)
      .appendInt16(84)
      .appendString('not needed')
      .appendUnsignedVarInt(0)
      .appendInt32(1)
      .appendInt16(0)
      .appendString(null)
      .appendUnsignedVarInt(0)
      .appendUnsignedVarInt(0)
      .appendUnsignedVarInt(0)
    expect(sent.parse(Reader.from(answer))).toEqual({
      errorCode: 0,
      results: [
        {
          topic: 't',
          partitions: [
            { partitionId: 0, errorCode: 84, errorMessage: 'not needed' },
            { partitionId: 1, errorCode: 0, errorMessage: null },
          ],
        },
      ],
    })
  })
})

describe('classic member assignment', () => {
  it('decodes version, topics and partitions; ignores user data', () => {
    const bytes = Writer.create()
      .appendInt16(3)
      .appendArray(
        [
          { topic: 'orders', partitions: [2, 0] },
          { topic: 'refunds', partitions: [1] },
        ],
        (w, t) => {
          w.appendString(t.topic, false).appendArray(t.partitions, (w, p) => w.appendInt32(p), false, false)
        },
        false,
        false,
      )
      .appendBytes(Buffer.from('user'), false).buffer
    expect(decodeClassicAssignment(bytes)).toEqual([
      { topic: 'orders', partition: 2 },
      { topic: 'orders', partition: 0 },
      { topic: 'refunds', partition: 1 },
    ])
  })

  it('an empty assignment (a member that got nothing) is no partitions', () => {
    expect(decodeClassicAssignment(Buffer.alloc(0))).toEqual([])
    expect(decodeClassicAssignment(null)).toEqual([])
  })
})

describe('tagged fields in an answer', () => {
  it('are skipped field by field: a Produce answer naming the current leader (KIP-951) reads whole (platformatic/kafka#313)', async () => {
    // The access layer's door applies the fix; without it the reader stops inside the field and fails.
    const { produceV9 } = await import('../../../lib/kafka/platformatic/client.ts')
    const answer = Writer.create()
      .appendArray([0], (w) => {
        w.appendString('orders').appendArray(
          [0],
          (w) => {
            w.appendInt32(3)
              .appendInt16(6)
              .appendInt64(-1n)
              .appendInt64(-1n)
              .appendInt64(-1n)
              .appendArray([], () => {}, true, true)
              .appendString(null)
              // One tagged field: tag 0 (current_leader), 9 bytes: leader_id 2, leader_epoch 7, no tags of its own.
              .appendUnsignedVarInt(1)
              .appendUnsignedVarInt(0)
              .appendUnsignedVarInt(9)
              .appendInt32(2)
              .appendInt32(7)
              .appendUnsignedVarInt(0)
          },
          true,
          false,
        )
      })
      .appendInt32(25)
      .appendUnsignedVarInt(0)
    let parsed: unknown
    try {
      parsed = produceV9.parseResponse(1, 0, 9, Reader.from(answer.buffer))
    } catch (error) {
      parsed = (error as { response?: unknown }).response ?? error
    }
    expect(parsed).toMatchObject({ responses: [{ name: 'orders', partitionResponses: [{ index: 3, errorCode: 6 }] }], throttleTimeMs: 25 })
  })
})
