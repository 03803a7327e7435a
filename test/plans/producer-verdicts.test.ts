import { describe, expect, it } from 'vitest'
import { fakeCluster } from '../../lib/kafka/fake/index.ts'
import { planDurabilityAudit } from '../../lib/plans/durability-audit.ts'
import type { ClientRef } from '../../lib/plans/producer-config.ts'
import { resolveProducer } from '../../lib/plans/producer-defaults.ts'
import { kafkajsRetryBudgetMs, planProducerAudit } from '../../lib/plans/producer-verdicts.ts'
import { readDurability } from '../../lib/reads/durability.ts'

const topics = async () => {
  const kafka = fakeCluster()
    .brokers(3)
    .topic('safe', { replicationFactor: 3, configs: { 'min.insync.replicas': '2' } })
    .topic('also-safe', { replicationFactor: 3, configs: { 'min.insync.replicas': '2' } })
    .topic('loose', { replicationFactor: 3 })
    .topic('single', { replicationFactor: 1 })
    .topic('unclean', { replicationFactor: 3, configs: { 'min.insync.replicas': '2', 'unclean.leader.election.enable': 'true' } })
    .build()
  return planDurabilityAudit(await readDurability(kafka, { full: false, nowMs: 0 })).topics
}

const producer = (settings: Record<string, string>, client: ClientRef = { client: 'java', version: '3.9.2' }) =>
  resolveProducer({ path: 'app', client, clientFrom: 'given', settings, keys: [] })

const table = (audit: ReturnType<typeof planProducerAudit>) =>
  audit.verdicts.map((v) => [v.topics.join(','), v.guaranteedCopies, v.risks.map((r) => `${r.kind}:${r.severity}`).join(' ')])

describe('planProducerAudit', () => {
  it('acks=all, idempotent (the 3.x Java default): only the topics let it down', async () => {
    expect(table(planProducerAudit(producer({}), await topics()))).toEqual([
      ['single', 1, 'producer-one-copy:high'],
      ['unclean', 2, 'producer-unclean:high'],
      ['loose', 1, 'producer-one-copy:medium'],
      ['also-safe,safe', 2, ''],
    ])
  })

  it('acks=1: the leader alone on every topic, whatever the topic says — and duplicates (idempotence switched off)', async () => {
    const audit = planProducerAudit(producer({ acks: '1' }), await topics())
    expect(audit.verdicts.every((v) => v.risks.some((r) => r.kind === 'producer-acks-leader' && r.severity === 'high'))).toBe(true)
    expect(audit.verdicts.find((v) => v.topics.includes('safe'))).toMatchObject({
      guaranteedCopies: 1,
      acknowledged: 'on the leader only (3 replicas; followers copy it afterwards)',
    })
    expect(audit.verdicts[0]!.risks.map((r) => r.kind)).toContain('producer-duplicates')
  })

  it('acks=0: nothing is confirmed; no retry risk is reported for what is never answered', async () => {
    const audit = planProducerAudit(producer({ acks: '0' }), await topics())
    expect(audit.verdicts.map((v) => [v.guaranteedCopies, v.risks.map((r) => r.kind)])).toEqual([[0, ['producer-acks-none']]])
  })

  it('kafkajs defaults: acks=-1 but 5 retries (about 9.3 s of backoff) and no idempotence', async () => {
    const audit = planProducerAudit(producer({}, { client: 'kafkajs', version: '2.2.4' }), await topics())
    expect(audit.retryBudgetMs).toBe(9_300)
    expect(audit.verdicts.find((v) => v.topics.includes('safe'))!.risks.map((r) => r.kind)).toEqual(['producer-few-retries', 'producer-duplicates'])
  })

  it('a configuration the client refuses is reported on every topic', async () => {
    const audit = planProducerAudit(producer({ idempotence: 'true', acks: '1' }), await topics())
    expect(audit.verdicts.every((v) => v.risks[0]?.kind === 'producer-refused')).toBe(true)
  })

  it('kafkajsRetryBudgetMs: 300 ms doubling, capped at 30 s per wait', () => {
    expect([kafkajsRetryBudgetMs(0), kafkajsRetryBudgetMs(1), kafkajsRetryBudgetMs(8)]).toEqual([
      0,
      300,
      300 + 600 + 1200 + 2400 + 4800 + 9600 + 19_200 + 30_000,
    ])
  })
})
