import { describe, expect, it } from 'vitest'
import { parseProperties } from '../../lib/kafka/java-properties.ts'
import { sandboxConfig } from '../../lib/sandbox/config.ts'
import {
  logConfigFlag,
  renderBrokerProperties,
  renderControllerProperties,
  renderNodeLogConfig,
  renderProperties,
  renderToolLogConfig,
} from '../../lib/sandbox/properties.ts'

const config = (overrides: Parameters<typeof sandboxConfig>[0] = {}) => sandboxConfig({ basePort: 39100, ...overrides }, { HOME: '/home/ops' })

describe('server.properties', () => {
  it('broker: broker-only role, its rack, its own listener, the static controller voter, fast fencing and ISR shrink', () => {
    const props = parseProperties(renderBrokerProperties(config(), 2, '/data/node-2'))
    expect(Object.fromEntries(props)).toMatchObject({
      'process.roles': 'broker',
      'node.id': '2',
      'broker.rack': 'r2',
      listeners: 'PLAINTEXT://127.0.0.1:39102',
      'advertised.listeners': 'PLAINTEXT://127.0.0.1:39102',
      'controller.quorum.voters': '100@127.0.0.1:39100',
      'controller.listener.names': 'CONTROLLER',
      'log.dirs': '/data/node-2',
      'broker.session.timeout.ms': '4000',
      'broker.heartbeat.interval.ms': '500',
      'replica.lag.time.max.ms': '2000',
      'offsets.topic.replication.factor': '3',
      'transaction.state.log.min.isr': '2',
      'log.cleaner.dedupe.buffer.size': '2097152',
      'share.coordinator.state.topic.replication.factor': '3',
      // Retention checked every 2 s; a topic without its own retention.ms keeps its records (old timestamps included).
      'log.retention.check.interval.ms': '2000',
      'log.initial.task.delay.ms': '2000',
      'log.retention.ms': '-1',
    })
    // Kafka's default stays unless a drill sets it.
    expect(props.has('unclean.leader.election.interval.ms')).toBe(false)
    // Topic defaults belong on the controller in 4.3.
    expect(props.has('default.replication.factor')).toBe(false)
  })

  it('respects Kafka validation: replica.fetch.wait.max.ms ≤ replica.lag.time.max.ms and ≤ replica.socket.timeout.ms', () => {
    const props = parseProperties(renderBrokerProperties(config(), 1, '/d'))
    const fetchWait = Number(props.get('replica.fetch.wait.max.ms'))
    expect(fetchWait).toBeLessThanOrEqual(Number(props.get('replica.lag.time.max.ms')))
    expect(fetchWait).toBeLessThanOrEqual(Number(props.get('replica.socket.timeout.ms')))
    expect(Number(props.get('replica.lag.time.max.ms'))).toBeLessThan(Number(props.get('broker.session.timeout.ms')))
  })

  it('controller: controller-only role on the base port, carrying the cluster-wide topic defaults', () => {
    const props = Object.fromEntries(parseProperties(renderControllerProperties(config(), '/data/node-100')))
    expect(props).toMatchObject({
      'process.roles': 'controller',
      'node.id': '100',
      listeners: 'CONTROLLER://127.0.0.1:39100',
      'controller.quorum.voters': '100@127.0.0.1:39100',
      'default.replication.factor': '3',
    })
    expect(props['broker.rack']).toBeUndefined()
  })

  it('scales replication settings down for a 1-broker sandbox and leaves 4.x-only settings out on 3.9', () => {
    const props = parseProperties(renderBrokerProperties(config({ brokers: 1, kafkaVersion: '3.9.2' }), 1, '/d'))
    expect(props.get('offsets.topic.replication.factor')).toBe('1')
    expect(props.get('transaction.state.log.min.isr')).toBe('1')
    expect(props.has('share.coordinator.state.topic.replication.factor')).toBe(false)
    expect(props.has('group.consumer.session.timeout.ms')).toBe(false)
  })

  it('extra properties override the sandbox defaults', () => {
    const tuned = config({
      brokerProperties: { 'replica.lag.time.max.ms': '5000', 'min.insync.replicas': '2' },
      controllerProperties: { 'unclean.leader.election.interval.ms': '1000' },
    })
    const broker = parseProperties(renderBrokerProperties(tuned, 1, '/d'))
    expect(broker.get('replica.lag.time.max.ms')).toBe('5000')
    expect(broker.get('min.insync.replicas')).toBe('2')
    expect(parseProperties(renderControllerProperties(tuned, '/d')).get('unclean.leader.election.interval.ms')).toBe('1000')
  })

  it('racks: r<id> by default, a shared rack or none per broker when asked', () => {
    const racked = config({ racks: { 1: 'zone-a', 2: 'zone-a', 3: null } })
    expect(parseProperties(renderBrokerProperties(racked, 1, '/d')).get('broker.rack')).toBe('zone-a')
    expect(parseProperties(renderBrokerProperties(racked, 3, '/d')).has('broker.rack')).toBe(false)
    expect(parseProperties(renderBrokerProperties(config({ racks: { 1: 'zone-a' } }), 2, '/d')).get('broker.rack')).toBe('r2')
  })

  it('escapes values so that Java reads back exactly what was meant', () => {
    const tricky = new Map([
      ['path', 'C:\\kafka\\data'],
      ['lead', ' leading space'],
      ['key with=sign', 'v'],
    ])
    expect(Object.fromEntries(parseProperties(renderProperties(tricky, 'test')))).toEqual(Object.fromEntries(tricky))
  })
})

describe('logging configs', () => {
  it('4.x nodes log through log4j2 into a rolled server.log; 3.9 through reload4j', () => {
    const log4j2 = parseProperties(renderNodeLogConfig('log4j2', '/n/logs/server.log'))
    expect(log4j2.get('appender.file.fileName')).toBe('/n/logs/server.log')
    expect(log4j2.get('rootLogger.level')).toBe('INFO')
    const reload4j = parseProperties(renderNodeLogConfig('reload4j', '/n/logs/server.log'))
    expect(reload4j.get('log4j.appender.FILE.File')).toBe('/n/logs/server.log')
    expect(reload4j.get('log4j.rootLogger')).toBe('INFO, FILE')
  })

  it('tools log WARN and above to stderr only', () => {
    expect(parseProperties(renderToolLogConfig('log4j2')).get('appender.err.target')).toBe('SYSTEM_ERR')
    expect(parseProperties(renderToolLogConfig('log4j2')).get('rootLogger.level')).toBe('WARN')
    expect(parseProperties(renderToolLogConfig('reload4j')).get('log4j.appender.STDERR.Target')).toBe('System.err')
    expect(logConfigFlag('log4j2', '/x.properties')).toBe('-Dlog4j2.configurationFile=/x.properties')
    expect(logConfigFlag('reload4j', '/x.properties')).toBe('-Dlog4j.configuration=file:/x.properties')
  })
})
