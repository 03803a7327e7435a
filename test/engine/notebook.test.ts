import { describe, expect, it } from 'vitest'
import { runWithKit } from '../../lib/testkit/run.ts'
import retention from './fixtures/topic-retention.ts'
import { retentionCluster } from './retention-cluster.ts'

describe('notebook.md', () => {
  it('names the runbook once and the session by its id', async () => {
    const run = await runWithKit(retention, { kafka: retentionCluster('604800000'), set: { topic: 'orders', next: 'leave' } })
    expect(run.exitCode).toBe(0)
    expect(run.notebook.split('\n').filter((line) => line === `# ${retention.title}`)).toHaveLength(1)
    expect(run.notebook).toContain(retention.summary)
    expect(run.notebook).toContain(`- **Session:** \`${run.sessionId}\``)
  })
})
