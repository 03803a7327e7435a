// Fault injection for integration tests, and the way back: every test that breaks the shared sandbox calls
// restoreCluster() afterwards, which restarts or resumes nodes and waits until every ISR is full again.

import { createSandboxProbe } from '../../lib/kafka/platformatic/sandbox-probe.ts'
import type { NodeAction, NodeStatus } from '../../lib/sandbox/index.ts'
import { control, status } from '../../lib/sandbox/index.ts'
import { readPartitions, waitFor, withAdmin } from './kafka.ts'
import { testSandbox } from './sandbox.ts'

const probe = createSandboxProbe('runbook-test-faults')

/** Applies a fault (or `start` / `resume`) to one node of the test sandbox; `start` waits until the broker is unfenced. */
export function nodeAction(nodeId: number, action: NodeAction): Promise<NodeStatus> {
  return control(testSandbox().config, nodeId, action, { probe, timeoutMs: 90_000 })
}

/** The cluster's own view right now: registered brokers (fenced or not) and the active controller. */
export function readClusterView() {
  return probe.readCluster(testSandbox().bootstrap, { timeoutMs: 3000 })
}

/** Resumes paused nodes, restarts dead ones (controller first), then waits until every broker is unfenced and every partition's ISR is full. */
export async function restoreCluster(timeoutMs = 90_000): Promise<void> {
  const sandbox = testSandbox()
  const nodes = status(sandbox.config).nodes
  for (const node of nodes) if (node.state === 'paused') await nodeAction(node.id, 'resume')
  for (const node of nodes) if (node.state === 'dead') await nodeAction(node.id, 'start')
  await waitFor(
    async () => {
      const view = await readClusterView()
      return sandbox.brokerIds.every((id) => view.brokers.some((broker) => broker.id === id && !broker.fenced))
    },
    { what: 'every broker registered and unfenced', timeoutMs },
  )
  await waitFor(
    async () => {
      const topics = await withAdmin((admin) => admin.listTopics({ includeInternals: true }))
      for (const topic of topics) {
        const partitions = await readPartitions(topic)
        if (partitions.some((partition) => partition.isr.length < partition.replicas.length)) return false
      }
      return true
    },
    { what: 'every ISR to be full again', timeoutMs, intervalMs: 500 },
  )
}
