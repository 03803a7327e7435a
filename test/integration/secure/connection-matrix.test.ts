// The client files operators have, on a secured cluster: SCRAM-SHA-512/256 and PLAIN over TLS, mutual TLS,
// with PEM, PKCS12 and JKS stores (as Java shops have them), Strimzi's ca.p12/user.p12 with their password
// files, librdkafka's keys, and inline PEM continued over several lines. For every Java-style file, Kafka's
// own kafka-topics is given the same file and must describe the same partitions we read.

import { readFileSync, writeFileSync } from 'node:fs'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { KafkaOps } from '../../../lib/kafka/types.ts'
import { uniqueTopic } from '../../support/kafka.ts'
import { runCli } from '../../support/run-cli.ts'
import { clientPath, connectPlain, connectWith, kafkaToolWith, secureSandbox } from '../../support/secure-sandbox.ts'

const topic = uniqueTopic('secure-matrix')
let plain: KafkaOps
const dir = mkdtempSync(join(tmpdir(), 'secure-matrix-'))

/** Partition → leader and replicas, as kafka-topics --describe prints them. */
function describedPartitions(out: string): string[] {
  return out
    .split('\n')
    .map((line) => /Partition:\s*(\d+)\s+Leader:\s*(\S+)\s+Replicas:\s*(\S+)/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => `${match[1]} leader ${match[2]} replicas ${match[3]}`)
    .sort()
}

async function ourPartitions(file: string): Promise<string[]> {
  const { kafka } = await connectWith(file)
  try {
    const [state] = await kafka.partitionStates([topic])
    return (state?.partitions ?? []).map((p) => `${p.partition} leader ${p.leader} replicas ${p.replicas.join(',')}`).sort()
  } finally {
    await kafka.close()
  }
}

/** A client file of our own, in the test's folder. */
function writeProperties(name: string, lines: readonly string[]): string {
  const path = join(dir, name)
  writeFileSync(path, lines.join('\n') + '\n')
  return path
}

beforeAll(async () => {
  plain = await connectPlain()
  const [created] = await plain.createTopics([{ topic, partitions: 3, replicationFactor: 3 }])
  expect(created?.error ?? null).toBeNull()
})
afterAll(async () => plain?.close())

describe('Java-style client files, with kafka-topics as the oracle', () => {
  const strimzi = () =>
    writeProperties('strimzi.properties', [
      `bootstrap.servers=${secureSandbox().status.listeners.SSL}`,
      'security.protocol=SSL',
      `ssl.truststore.location=${clientPath('ca.p12')}`,
      `ssl.truststore.password=${readFileSync(clientPath('ca.password'), 'utf8').trim()}`,
      'ssl.truststore.type=PKCS12',
      `ssl.keystore.location=${clientPath('user.p12')}`,
      `ssl.keystore.password=${readFileSync(clientPath('user.password'), 'utf8').trim()}`,
      'ssl.keystore.type=PKCS12',
    ])
  // Inline PEM as Kafka's documentation writes it: one certificate, continued over lines with " \".
  const inline = () => {
    const caLines = readFileSync(clientPath('ca.crt'), 'utf8').trim().split('\n')
    return writeProperties('inline-pem.properties', [
      `bootstrap.servers=${secureSandbox().status.listeners.SASL_SSL}`,
      'security.protocol=SASL_SSL',
      'sasl.mechanism=SCRAM-SHA-256',
      `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${secureSandbox().secrets.saslUser}" password="${secureSandbox().secrets.saslPassword}";`,
      'ssl.truststore.type=PEM',
      `ssl.truststore.certificates=${caLines.join(' \\\n    ')}`,
    ])
  }
  const files: [string, () => string][] = [
    ...[
      'scram-sha-512.properties',
      'scram-sha-512-pkcs12.properties',
      'scram-sha-512-jks.properties',
      'scram-sha-256.properties',
      'plain.properties',
      'mtls-pem.properties',
      'mtls-pkcs12.properties',
      'mtls-jks.properties',
    ].map((file): [string, () => string] => [file, () => clientPath(file)]),
    ['Strimzi ca.p12 + user.p12', strimzi],
    ['inline PEM with continuations', inline],
  ]

  it.each(files)('%s: the same partitions as kafka-topics reads with the same file', async (_name, file) => {
    const path = file()
    const bootstrap = readFileSync(path, 'utf8').match(/^bootstrap\.servers=(.*)$/m)![1]!
    const [ours, theirs] = await Promise.all([ourPartitions(path), kafkaToolWith('kafka-topics', bootstrap, path, ['--describe', '--topic', topic])])
    expect(theirs.exitCode, theirs.stderr).toBe(0)
    expect(ours).toHaveLength(3)
    expect(ours).toEqual(describedPartitions(theirs.stdout))
  })
})

describe("librdkafka's keys", () => {
  it.each(['librdkafka-scram.properties', 'librdkafka-mtls.properties'])(
    '%s reads the cluster, and `runbook status` works from the file alone',
    async (file) => {
      expect(await ourPartitions(clientPath(file))).toHaveLength(3)
      const status = await runCli(['status', '--json', '--command-config', clientPath(file)])
      expect(status.code, status.stderr).toBe(0)
      expect(JSON.parse(status.stdout)).toMatchObject({ brokers: expect.any(Array) })
    },
  )
})
