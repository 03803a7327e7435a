// electLeaders(): preferred or unclean, for an explicit list of partitions; one outcome per partition.

import { ErrorCode, kafkaError } from '../errors.ts'
import type { ElectionResult, ElectionType, TopicPartition } from '../types.ts'
import { electLeadersApis } from './protocol/elect-leaders.ts'
import { type Session, send } from './session.ts'

const timeoutMs = 30_000

export async function electLeaders(session: Session, type: ElectionType, partitions: readonly TopicPartition[]): Promise<ElectionResult[]> {
  if (partitions.length === 0) return []
  const version = session.version(43, type === 'unclean' ? [1, 2] : [0, 1, 2]) as 0 | 1 | 2 | null
  if (version === null) {
    const error = kafkaError(
      ErrorCode.UNSUPPORTED_VERSION,
      `this cluster cannot run ${type} leader elections (ElectLeaders${type === 'unclean' ? ' v1+' : ''} is not served)`,
    )
    return partitions.map((tp) => ({ ...tp, outcome: 'failed', error }))
  }
  const byTopic = new Map<string, number[]>()
  for (const { topic, partition } of partitions) (byTopic.get(topic) ?? byTopic.set(topic, []).get(topic)!).push(partition)
  const request = [...byTopic].map(([topic, ps]) => ({ topic, partitions: ps }))
  const answer = await session.anyBroker((c) => send(electLeadersApis[version], c, type === 'unclean' ? 1 : 0, request, timeoutMs))
  const outcomes = new Map<string, { errorCode: number; errorMessage: string | null }>()
  for (const topic of answer.results) for (const p of topic.partitions) outcomes.set(`${topic.topic}/${p.partitionId}`, p)
  return partitions.map(({ topic, partition }): ElectionResult => {
    const outcome = outcomes.get(`${topic}/${partition}`)
    const code = outcome?.errorCode ?? (answer.errorCode !== 0 ? answer.errorCode : ErrorCode.UNKNOWN_SERVER_ERROR)
    if (outcome && code === 0) return { topic, partition, outcome: 'elected' }
    const error = kafkaError(code, outcome?.errorMessage ?? (outcome ? null : 'the controller gave no answer for this partition'))
    return { topic, partition, outcome: code === ErrorCode.ELECTION_NOT_NEEDED ? 'not-needed' : 'failed', error }
  })
}
