import { describe, expect, it } from 'vitest'
import { sandboxConfig } from '../../lib/sandbox/config.ts'
import { parseJavaVersion } from '../../lib/sandbox/java.ts'
import type { SandboxManifest } from '../../lib/sandbox/manifest.ts'
import { manifestMismatches, newClusterId } from '../../lib/sandbox/manifest.ts'
import { kafkaToolNames, toolMainClass } from '../../lib/sandbox/versions.ts'

const manifest: SandboxManifest = { name: 'drill', kafkaVersion: '4.3.1', brokers: 3, basePort: 19090, elr: true, clusterId: 'x', createdAt: '' }
const env = { HOME: '/home/ops' }

describe('an existing sandbox against a new request', () => {
  it('settings left at their defaults follow the existing sandbox', () => {
    expect(manifestMismatches({ ...manifest, kafkaVersion: '3.9.2', elr: false, brokers: 1, basePort: 20000 }, sandboxConfig({ name: 'drill' }, env))).toEqual(
      [],
    )
  })

  it('settings chosen explicitly must match what the data was formatted with', () => {
    const asked = sandboxConfig({ name: 'drill', kafkaVersion: '3.9.2', brokers: 2, basePort: 19090 }, env)
    expect(manifestMismatches(manifest, asked)).toEqual(['Kafka 4.3.1 → 3.9.2', '3 → 2 brokers'])
    expect(manifestMismatches(manifest, sandboxConfig({ elr: false }, env))).toEqual(['ELR on → off'])
  })
})

describe('cluster ids', () => {
  it('are 22 characters of unpadded base64url', () => {
    for (let i = 0; i < 50; i++) expect(newClusterId()).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/)
  })

  it('never start with "-", which Kafka rejects', () => {
    const draws = [Buffer.from('fb' + '00'.repeat(15), 'hex'), Buffer.from('01'.repeat(16), 'hex')]
    expect(draws[0]!.toString('base64url').startsWith('-')).toBe(true)
    expect(newClusterId(() => draws.shift()!)).toBe(Buffer.from('01'.repeat(16), 'hex').toString('base64url'))
  })
})

describe('java -version', () => {
  it.each([
    ['openjdk version "17.0.15" 2025-04-15', 17],
    ['java version "21" 2023-09-19', 21],
    ['openjdk version "1.8.0_392"', 8],
    ['openjdk version "11.0.2" 2019-01-15', 11],
  ])('%s → %i', (output, major) => {
    expect(parseJavaVersion(output)?.major).toBe(major)
  })

  it('unparsable output is null', () => {
    expect(parseJavaVersion('command not found')).toBeNull()
  })
})

describe('Kafka tool main classes', () => {
  it('follow the classes that moved out of the Scala core in 4.x', () => {
    expect(toolMainClass('kafka-topics', '4.3.1')).toBe('org.apache.kafka.tools.TopicCommand')
    expect(toolMainClass('kafka-configs.sh', '3.9.2')).toBe('kafka.admin.ConfigCommand')
    expect(toolMainClass('kafka-dump-log', '4.3.1')).toBe('org.apache.kafka.tools.DumpLogSegments')
    expect(toolMainClass('kafka-dump-log', '3.9.2')).toBe('kafka.tools.DumpLogSegments')
    expect(toolMainClass('kafka-console-producer', '3.9.2')).toBe('kafka.tools.ConsoleProducer')
    expect(toolMainClass('kafka-server-start', '4.3.1')).toBeNull()
    expect(kafkaToolNames).toEqual(
      expect.arrayContaining(['kafka-topics', 'kafka-consumer-groups', 'kafka-leader-election', 'kafka-configs', 'kafka-reassign-partitions']),
    )
  })
})
