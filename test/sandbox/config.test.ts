import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { bootstrapServers, sandboxConfig, sandboxNodes } from '../../lib/sandbox/config.ts'
import { nodeJvmOptions } from '../../lib/sandbox/launch.ts'

const home = { HOME: '/home/ops' }

describe('sandboxConfig', () => {
  it('defaults: sandbox "default", newest Kafka, 3 brokers, port 19090, ELR on, XDG-style dirs under HOME', () => {
    const config = sandboxConfig({}, home)
    expect(config).toMatchObject({
      name: 'default',
      kafkaVersion: '4.3.1',
      brokers: 3,
      basePort: 19090,
      elr: true,
      brokerHeapMb: 384,
      stateDir: '/home/ops/.local/state/kafka-runbooks/sandboxes/default',
      jarCacheDir: '/home/ops/.cache/kafka-runbooks/kafka',
      kafkaHome: null,
      mavenRepository: 'https://repo1.maven.org/maven2',
      explicit: [],
    })
  })

  it('reads RUNBOOK_* and XDG variables; explicit overrides win over them', () => {
    const env = {
      ...home,
      RUNBOOK_SANDBOX_NAME: 'drill',
      RUNBOOK_KAFKA_VERSION: '3.9.2',
      RUNBOOK_SANDBOX_PORT: '29090',
      RUNBOOK_SANDBOX_BROKERS: '2',
      RUNBOOK_SANDBOX_BROKER_HEAP: '1024',
      XDG_STATE_HOME: '/state',
      XDG_CACHE_HOME: '/cache',
    }
    const config = sandboxConfig({}, env)
    expect(config).toMatchObject({
      name: 'drill',
      kafkaVersion: '3.9.2',
      basePort: 29090,
      brokers: 2,
      brokerHeapMb: 1024,
      elr: false,
      stateDir: '/state/kafka-runbooks/sandboxes/drill',
      jarCacheDir: '/cache/kafka-runbooks/kafka',
    })
    expect(config.explicit).toEqual(['kafkaVersion', 'brokers', 'basePort'])
    expect(sandboxConfig({ name: 'other', basePort: 30000, kafkaVersion: '4.3.1' }, env)).toMatchObject({
      name: 'other',
      basePort: 30000,
      kafkaVersion: '4.3.1',
      elr: true,
    })
  })

  it.each([
    { name: 'a bad name', overrides: { name: '../etc' }, env: {}, error: /sandbox name "..\/etc"/ },
    { name: 'an unlocked version', overrides: { kafkaVersion: '4.4.0' }, env: {}, error: /Kafka 4.4.0 has no jar lock here — use one of 4.3.1, 3.9.2/ },
    { name: 'too many brokers', overrides: { brokers: 12 }, env: {}, error: /broker count 12 is out of range/ },
    { name: 'a privileged port', overrides: { basePort: 80 }, env: {}, error: /base port 80 is out of range .*\(--port or RUNBOOK_SANDBOX_PORT\)/ },
    { name: 'a non-numeric port variable', overrides: {}, env: { RUNBOOK_SANDBOX_PORT: 'high' }, error: /RUNBOOK_SANDBOX_PORT=high is not a whole number/ },
    {
      name: 'a broker heap too small to start',
      overrides: { brokerHeapMb: 64 },
      env: {},
      error: /broker heap 64 MiB is out of range — use 256 to 16384 \(--broker-heap or RUNBOOK_SANDBOX_BROKER_HEAP\)/,
    },
    { name: 'ELR on 3.9', overrides: { kafkaVersion: '3.9.2', elr: true }, env: {}, error: /Kafka 3.9.2 has no eligible leader replicas/ },
    { name: 'a bad ELR variable', overrides: {}, env: { RUNBOOK_SANDBOX_ELR: 'maybe' }, error: /RUNBOOK_SANDBOX_ELR=maybe must be on or off/ },
  ])('refuses $name with one line and exit code 2', ({ overrides, env, error }) => {
    let thrown: unknown
    try {
      sandboxConfig(overrides, { ...home, ...env })
    } catch (caught) {
      thrown = caught
    }
    expect(thrown).toBeInstanceOf(Error)
    expect((thrown as Error).message).toMatch(error)
    expect((thrown as Error).message).not.toContain('\n')
    expect((thrown as { exitCode?: number }).exitCode).toBe(2)
  })

  it('ELR can be turned off on 4.x, by option or variable', () => {
    expect(sandboxConfig({ elr: false }, home)).toMatchObject({ elr: false, explicit: ['elr'] })
    expect(sandboxConfig({}, { ...home, RUNBOOK_SANDBOX_ELR: 'off' }).elr).toBe(false)
  })

  it('takes the version from KAFKA_HOME/libs and refuses a different one', () => {
    const kafkaHome = mkdtempSync(join(tmpdir(), 'kafka-home-'))
    mkdirSync(join(kafkaHome, 'libs'))
    writeFileSync(join(kafkaHome, 'libs', 'kafka_2.13-4.1.2.jar'), '')
    expect(sandboxConfig({}, { ...home, KAFKA_HOME: kafkaHome })).toMatchObject({ kafkaVersion: '4.1.2', kafkaHome, explicit: ['kafkaVersion'] })
    expect(() => sandboxConfig({ kafkaVersion: '3.9.2' }, { ...home, KAFKA_HOME: kafkaHome })).toThrow(/holds Kafka 4.1.2, not 3.9.2/)
    expect(() => sandboxConfig({}, { ...home, KAFKA_HOME: join(kafkaHome, 'missing') })).toThrow(/has no libs\/ folder/)
  })
})

describe('nodes and ports', () => {
  it('puts the controller (id 100) on the base port and broker n on base + n', () => {
    const config = sandboxConfig({ basePort: 39100, brokers: 3 }, home)
    expect(sandboxNodes(config)).toEqual([
      { id: 100, role: 'controller', port: 39100 },
      { id: 1, role: 'broker', port: 39101 },
      { id: 2, role: 'broker', port: 39102 },
      { id: 3, role: 'broker', port: 39103 },
    ])
    expect(bootstrapServers(config)).toBe('127.0.0.1:39101,127.0.0.1:39102,127.0.0.1:39103')
  })

  it('gives brokers the configured heap and the controller its own', () => {
    const config = sandboxConfig({ brokerHeapMb: 1536 }, home)
    const [controller, broker] = sandboxNodes(config)
    expect(nodeJvmOptions(config, broker!, 'log4j2')).toContain('-Xmx1536m')
    expect(nodeJvmOptions(config, controller!, 'log4j2')).toContain('-Xmx256m')
    expect(nodeJvmOptions(sandboxConfig({}, home), broker!, 'log4j2')).toContain('-Xmx384m')
  })
})
