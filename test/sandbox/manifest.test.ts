import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { sandboxConfig } from '../../lib/sandbox/config.ts'
import { findJava, parseJavaVersion } from '../../lib/sandbox/java.ts'
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

describe('finding Java', () => {
  /** A Java home whose bin/java answers -version as given (or fails when started), with or without a release file. */
  function fakeJavaHome(options: { release?: string; versionOutput?: string }): string {
    const home = mkdtempSync(join(tmpdir(), 'fake-java-'))
    mkdirSync(join(home, 'bin'))
    const script = options.versionOutput ? `#!/bin/sh\necho '${options.versionOutput}' >&2\n` : '#!/bin/sh\nexit 1\n'
    writeFileSync(join(home, 'bin', 'java'), script)
    chmodSync(join(home, 'bin', 'java'), 0o755)
    if (options.release) writeFileSync(join(home, 'release'), options.release)
    return home
  }

  it('reads the version from the release file, without starting a JVM', async () => {
    const home = fakeJavaHome({ release: 'IMPLEMENTOR="Eclipse Adoptium"\nJAVA_VERSION="21.0.4"\n' })
    expect(await findJava({ JAVA_HOME: home })).toEqual({ executable: join(home, 'bin', 'java'), version: '21.0.4', major: 21 })
  })

  it('asks java -version when there is no release file, and refuses an old Java either way', async () => {
    const home = fakeJavaHome({ versionOutput: 'openjdk version "17.0.9" 2023-10-17' })
    expect(await findJava({ JAVA_HOME: home })).toMatchObject({ version: '17.0.9', major: 17 })
    const old = fakeJavaHome({ release: 'JAVA_VERSION="11.0.2"\n', versionOutput: 'openjdk version "11.0.2" 2019-01-15' })
    await expect(findJava({ JAVA_HOME: old })).rejects.toThrow(/Kafka needs Java 17 or newer, found 11.0.2/)
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
