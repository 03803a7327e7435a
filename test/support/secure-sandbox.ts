// The integration tests' handle on the secured sandbox (test/integration/global-setup.ts): its client files,
// connections through them, and Kafka's own tools given the same file — the oracle.

import { join } from 'node:path'
import { inject } from 'vitest'
import { resolveConnection } from '../../lib/cli/connection.ts'
import { connect } from '../../lib/kafka/index.ts'
import type { KafkaOps } from '../../lib/kafka/types.ts'
import type { ToolOptions, ToolResult } from '../../lib/sandbox/index.ts'
import { clientDir, runKafkaTool } from '../../lib/sandbox/index.ts'
import type { ProvidedSecureSandbox } from '../integration/global-setup.ts'

export function secureSandbox(): ProvidedSecureSandbox {
  const provided = inject('secureSandbox')
  if (!provided) throw new Error('the secured sandbox was not started: run the tests under test/integration/secure/ through the integration project')
  return provided
}

/** A file in the secured sandbox's client folder (a client.properties, a store, a certificate). */
export function clientPath(file: string): string {
  return join(clientDir(secureSandbox().config.stateDir), file)
}

/** Our KafkaOps through a client.properties, resolved as `--command-config` resolves it. */
export async function connectWith(propertiesFile: string, clientId = 'runbook-secure-test'): Promise<{ kafka: KafkaOps; secrets: readonly string[] }> {
  const resolved = await resolveConnection({ values: { 'command-config': propertiesFile }, positionals: [], raw: [] }, {}, process.cwd(), {
    path: null,
    profiles: {},
    runbooks: [],
  })
  return { kafka: await connect({ ...resolved.options, clientId }), secrets: resolved.secrets }
}

/** Our KafkaOps on the secured sandbox's PLAINTEXT listener: for setting a test up. */
export function connectPlain(clientId = 'runbook-secure-setup'): Promise<KafkaOps> {
  return connect({ bootstrapServers: secureSandbox().status.bootstrap.split(','), clientId })
}

/** Kafka's own tool with `--bootstrap-server <servers> --command-config <file>`, as an operator runs it. */
export function kafkaToolWith(
  tool: string,
  bootstrap: string,
  propertiesFile: string,
  args: readonly string[],
  options: ToolOptions = {},
): Promise<ToolResult> {
  const secure = secureSandbox()
  return runKafkaTool(secure.config, tool, ['--bootstrap-server', bootstrap, '--command-config', propertiesFile, ...args], {
    timeoutMs: 60_000,
    // Kafka 4.x calls no OAuth URL this list does not name.
    systemProperties: { 'org.apache.kafka.sasl.oauthbearer.allowed.urls': secure.oauth.tokenUrl },
    ...options,
  })
}
