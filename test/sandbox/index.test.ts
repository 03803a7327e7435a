import { expect, it } from 'vitest'

it('lib/sandbox exposes exactly its public door', async () => {
  expect(Object.keys(await import('../../lib/sandbox/index.ts')).sort()).toEqual(
    [
      'SandboxError',
      'bootstrapServers',
      'control',
      'controllerNodeId',
      'defaultBasePort',
      'defaultKafkaVersion',
      'defaultSandboxName',
      'defaultTestBasePort',
      'down',
      'ensureKafkaSoftware',
      'kafkaToolNames',
      'nodeActions',
      'nodeDataDir',
      'nodeLogFiles',
      'probeTopic',
      'runKafkaTool',
      'runningSandboxBootstrap',
      'sandboxConfig',
      'status',
      'supportedKafkaVersions',
      'up',
    ].sort(),
  )
})
