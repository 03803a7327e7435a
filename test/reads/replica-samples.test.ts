import { describe, expect, it } from 'vitest'
import { fakeCluster } from '../../lib/kafka/fake/index.ts'
import type { KafkaOps } from '../../lib/kafka/types.ts'
import { planProgress } from '../../lib/plans/replica-causes.ts'
import { readReplicaSamples } from '../../lib/reads/replication.ts'

/** The partition at one moment: the leader (broker 1) alone in the ISR, its high watermark, follower 2's log end. */
const momentOf = (leaderEnd: bigint, followerEnd: bigint) =>
  fakeCluster()
    .brokers(3)
    .topic('t', { replicas: [[1, 2, 3]] })
    .partition('t', 0, { isr: [1], highWatermark: leaderEnd, logEndOffsets: { 1: leaderEnd, 2: followerEnd, 3: followerEnd } })
    .build()

/**
 * Two moments of one cluster: the high watermark is read at the first; writes go on (the follower fetching some of
 * them, never reaching the high watermark) and every log end answered after that is the second moment's — as when a
 * follower's broker answers after the leader has already answered the high watermark.
 */
function answeredAtTwoMoments(first: KafkaOps, second: KafkaOps): KafkaOps {
  let now = first
  const moved: Partial<KafkaOps> = {
    listOffsets: async (queries) => {
      const answer = await now.listOffsets(queries)
      now = second
      return answer
    },
    replicaOffsets: async (queries) => {
      await new Promise((resolve) => setTimeout(resolve, 0))
      return now.replicaOffsets(queries)
    },
  }
  return new Proxy(first, {
    get: (target, name) => {
      if (name in moved) return moved[name as keyof KafkaOps]
      const value: unknown = Reflect.get(target, name)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

describe('readReplicaSamples', () => {
  it('a follower still behind is never read as at the high watermark, whichever broker answers later', async () => {
    const kafka = answeredAtTwoMoments(momentOf(100n, 95n), momentOf(110n, 102n))
    const [sample] = await readReplicaSamples(kafka, [{ topic: 't', partition: 0, follower: 2, leader: 1 }], { budgetMs: 1000, nowMs: () => 0 })
    expect(sample!.followerLeo).not.toBeNull()
    expect(sample!.highWatermark).not.toBeNull()
    expect(sample!.followerLeo!).toBeLessThan(sample!.highWatermark!)
    // What the find would have told the operator from one such sample: rejoining, writes back at once.
    expect(planProgress(sample, sample).kind).not.toBe('at-high-watermark')
  })
})
