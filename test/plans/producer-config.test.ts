import { describe, expect, it } from 'vitest'
import { type ClientRef, isProducerConfigFault, parseClientRef, parseProducerConfig, type ParsedProducerConfig } from '../../lib/plans/producer-config.ts'
import { resolveProducer } from '../../lib/plans/producer-defaults.ts'

const parse = (text: string, path: string, client: ClientRef | null = null) => parseProducerConfig(text, path, client)
const settingsOf = (text: string, path: string, client: ClientRef | null = null) => (parse(text, path, client) as ParsedProducerConfig).settings
const faultOf = (text: string, path: string, client: ClientRef | null = null) => {
  const result = parse(text, path, client)
  return isProducerConfigFault(result) ? result.message : null
}

describe('parseProducerConfig: the three formats', () => {
  it('Java .properties: comments, separators, continuations; recognised by its Java-only keys or the extension', () => {
    const text =
      '# payments producer\nbootstrap.servers=kafka:9092\nacks : 1\nretries 3\nenable.idempotence=\\\n  false\nkey.serializer=org.apache.kafka.common.serialization.StringSerializer\n'
    const parsed = parse(text, 'payments.cfg') as ParsedProducerConfig
    expect(parsed.client).toEqual({ client: 'java', version: null })
    expect(parsed.clientFrom).toBe('recognised')
    expect(parsed.settings).toEqual({ acks: '1', retries: '3', idempotence: 'false' })
    expect(settingsOf('acks=all\n', 'app.properties')).toEqual({ acks: 'all' })
  })

  it('librdkafka-style: its aliases (request.required.acks, message.send.max.retries, message.timeout.ms, max.in.flight)', () => {
    const parsed = parse(
      'metadata.broker.list=kafka:9092\nrequest.required.acks=1\nmessage.send.max.retries=0\nmessage.timeout.ms=10000\nmax.in.flight=10\n',
      'rd.conf',
    ) as ParsedProducerConfig
    expect(parsed.client.client).toBe('librdkafka')
    expect(parsed.settings).toEqual({ acks: '1', retries: '0', deliveryTimeoutMs: '10000', maxInFlight: '10' })
    expect(settingsOf('bootstrap.servers=k:9092\nacks=all\n', 'producer.ini')).toEqual({ acks: 'all' })
  })

  it('kafkajs options JSON: producer and send options nested, or at the top level', () => {
    expect(
      settingsOf(
        JSON.stringify({ clientId: 'orders', retry: { retries: 3 }, producer: { idempotent: true, maxInFlightRequests: 1 }, send: { acks: -1 } }),
        'orders.json',
      ),
    ).toEqual({
      acks: '-1',
      idempotence: 'true',
      retries: '3',
      maxInFlight: '1',
    })
    expect(settingsOf('{"acks": 1, "producer": {"retry": {"retries": 0}}}', 'x.json')).toEqual({ acks: '1', retries: '0' })
  })

  it('the operator’s client wins over recognition, with its version', () => {
    const parsed = parse('acks=1\n', 'app.conf', { client: 'java', version: '2.8.1' }) as ParsedProducerConfig
    expect([parsed.client, parsed.clientFrom]).toEqual([{ client: 'java', version: '2.8.1' }, 'given'])
  })
})

describe('parseProducerConfig: bad input, one line each', () => {
  it.each([
    { name: 'empty file', text: '   \n', path: 'p.properties', message: "p.properties is empty — point producer-config at the producer's configuration file" },
    { name: 'not a producer config', text: 'log.dirs=/tmp\nnode.id=1\n', path: 'server.properties', message: /sets none of the producer settings/ },
    {
      name: 'Java and librdkafka keys mixed',
      text: 'key.serializer=x\nrequest.required.acks=1\n',
      path: 'p.properties',
      message: /mixes Java client keys \(key.serializer\) and librdkafka keys \(request.required.acks\)/,
    },
    {
      name: 'cannot tell the client',
      text: 'acks=1\n',
      path: 'producer.yaml',
      message: /cannot tell which client reads producer.yaml — give producer-client=java, librdkafka or kafkajs/,
    },
    { name: 'broken JSON', text: '{"acks": ', path: 'p.json', message: /p.json is not valid JSON/ },
    { name: 'JSON that is not kafkajs options', text: '{"name": "x"}', path: 'p.json', message: /has none of the kafkajs options/ },
    {
      name: 'kafkajs acks as text',
      text: '{"send": {"acks": "all"}}',
      path: 'p.json',
      message: 'p.json: acks must be a number in a kafkajs config, not "all"',
    },
    {
      name: 'kafkajs named for a properties file',
      text: 'acks=1\n',
      path: 'p.properties',
      client: { client: 'kafkajs', version: null },
      message: /is not valid JSON/,
    },
  ] as const)('$name', ({ text, path, message, ...rest }) => {
    const fault = faultOf(text, path, 'client' in rest ? (rest.client as ClientRef) : null)
    if (typeof message === 'string') expect(fault).toBe(message)
    else expect(fault).toMatch(message)
  })

  // The Java cases were measured on the 4.3.1 client (ProducerConfig), the librdkafka ones read from its rd_kafka_conf_set.
  it.each([
    { file: 'retries=abc\n', client: 'java', refused: 'retries=abc is refused by the Java client' },
    { file: 'enable.idempotence=maybe\n', client: 'java', refused: 'enable.idempotence=maybe is refused by the Java client' },
    { file: 'enable.idempotence=1\n', client: 'java', refused: 'enable.idempotence=1 is refused' },
    { file: 'acks=ALL\n', client: 'java', refused: 'acks=ALL is refused by the Java client, which will not start with it — it takes all, -1, 0 or 1' },
    { file: 'acks=2\n', client: 'java', refused: 'acks=2 is refused' },
    { file: 'retries=-1\n', client: 'java', refused: 'retries=-1 is refused' },
    { file: 'retries=3.0\n', client: 'java', refused: 'retries=3.0 is refused' },
    { file: 'retries=2147483648\n', client: 'java', refused: 'retries=2147483648 is refused' },
    { file: 'max.in.flight.requests.per.connection=0\n', client: 'java', refused: 'max.in.flight.requests.per.connection=0 is refused' },
    { file: 'delivery.timeout.ms=soon\n', client: 'java', refused: 'delivery.timeout.ms=soon is refused' },
    { file: 'transactional.id=\n', client: 'java', refused: 'transactional.id= is refused' },
    { file: 'request.required.acks=many\n', client: 'librdkafka', refused: 'request.required.acks=many is refused by librdkafka' },
    { file: 'acks=1001\n', client: 'librdkafka', refused: 'acks=1001 is refused by librdkafka' },
    { file: 'enable.idempotence=yes\n', client: 'librdkafka', refused: 'enable.idempotence=yes is refused by librdkafka' },
    { file: 'message.send.max.retries=-2\n', client: 'librdkafka', refused: 'message.send.max.retries=-2 is refused' },
    { file: 'max.in.flight=0\n', client: 'librdkafka', refused: 'max.in.flight=0 is refused' },
  ] as const)('a value the client refuses to start with is bad input: $client $file', ({ file, client, refused }) => {
    expect(faultOf(`bootstrap.servers=k:9092\n${file}`, 'p.cfg', { client, version: null })).toContain(`p.cfg: ${refused}`)
  })

  it.each([
    { file: 'acks= all \nenable.idempotence=TRUE\nretries= 3 \n', client: 'java', settings: { acks: 'all', idempotence: 'true', retries: '3' } },
    { file: 'retries=+4\nmax.in.flight.requests.per.connection=5\n', client: 'java', settings: { retries: '4', maxInFlight: '5' } },
    { file: 'acks=ALL\nenable.idempotence=T\nretries=0x10\n', client: 'librdkafka', settings: { acks: 'all', idempotence: 'true', retries: '16' } },
    {
      file: 'acks=-1\nenable.idempotence=0\nretries=3abc\nmax.in.flight=010\n',
      client: 'librdkafka',
      settings: { acks: '-1', idempotence: 'false', retries: '3', maxInFlight: '8' },
    },
  ] as const)('values are read the way the client reads them: $client $file', ({ file, client, settings }) => {
    expect(settingsOf(file, 'p.cfg', { client, version: null })).toEqual(settings)
  })
})

describe('parseClientRef', () => {
  it('parseClientRef: a client with an optional version', () => {
    expect(parseClientRef('Java@3.9.1')).toEqual({ client: 'java', version: '3.9.1' })
    expect(parseClientRef('kafkajs')).toEqual({ client: 'kafkajs', version: null })
    expect(isProducerConfigFault(parseClientRef('sarama@1.40'))).toBe(true)
  })
})

const resolved = (settings: Record<string, string>, client: ClientRef) => resolveProducer({ path: 'p', client, clientFrom: 'given', settings, keys: [] })
const summary = (settings: Record<string, string>, client: ClientRef) => {
  const r = resolved(settings, client)
  return { acks: r.acks.value, idempotence: r.idempotence.value, retries: r.retries.value, refused: r.refusal !== null }
}
const MAX = 2_147_483_647

describe('resolveProducer: each client’s real defaults by version', () => {
  it.each([
    {
      name: 'Java 2.0: acks=1, no retries',
      client: 'java',
      version: '2.0.1',
      settings: {},
      expected: { acks: 'leader', idempotence: false, retries: 0, refused: false },
    },
    {
      name: 'Java 2.8: acks=1, retries unlimited (delivery.timeout.ms)',
      client: 'java',
      version: '2.8.2',
      settings: {},
      expected: { acks: 'leader', idempotence: false, retries: MAX, refused: false },
    },
    {
      name: 'Java 3.0.0: acks=all, idempotence not applied unless set (KAFKA-13598)',
      client: 'java',
      version: '3.0.0',
      settings: {},
      expected: { acks: 'all', idempotence: false, retries: MAX, refused: false },
    },
    {
      name: 'Java 3.1.1: idempotence on by default',
      client: 'java',
      version: '3.1.1',
      settings: {},
      expected: { acks: 'all', idempotence: true, retries: MAX, refused: false },
    },
    {
      name: 'Java 3.9: acks=1 quietly switches idempotence off',
      client: 'java',
      version: '3.9.2',
      settings: { acks: '1' },
      expected: { acks: 'leader', idempotence: false, retries: MAX, refused: false },
    },
    {
      name: 'Java 3.9: retries=0 quietly switches it off',
      client: 'java',
      version: '3.9.2',
      settings: { retries: '0' },
      expected: { acks: 'all', idempotence: false, retries: 0, refused: false },
    },
    {
      name: 'Java 3.9: 6 in flight switches it off',
      client: 'java',
      version: '3.9.2',
      settings: { maxInFlight: '6' },
      expected: { acks: 'all', idempotence: false, retries: MAX, refused: false },
    },
    {
      name: 'Java 4.3: 6 in flight refuses to start',
      client: 'java',
      version: '4.3.1',
      settings: { maxInFlight: '6' },
      expected: { acks: 'all', idempotence: false, retries: MAX, refused: true },
    },
    {
      name: 'Java: enable.idempotence=true with acks=1 refuses to start',
      client: 'java',
      version: '3.9.2',
      settings: { idempotence: 'true', acks: '1' },
      expected: { acks: 'leader', idempotence: true, retries: MAX, refused: true },
    },
    {
      name: 'Java 2.8: transactional.id turns idempotence (and acks=all) on',
      client: 'java',
      version: '2.8.2',
      settings: { transactionalId: 'tx-1' },
      expected: { acks: 'all', idempotence: true, retries: MAX, refused: false },
    },
    {
      name: 'Java: acks=2 is not a Java value',
      client: 'java',
      version: '3.9.2',
      settings: { acks: '2' },
      expected: { acks: 'all', idempotence: true, retries: MAX, refused: true },
    },
    {
      name: 'librdkafka 0.11: acks=1, retries 2',
      client: 'librdkafka',
      version: '0.11.6',
      settings: {},
      expected: { acks: 'leader', idempotence: false, retries: 2, refused: false },
    },
    {
      name: 'librdkafka 1.5: acks=all, retries 2',
      client: 'librdkafka',
      version: '1.5.3',
      settings: {},
      expected: { acks: 'all', idempotence: false, retries: 2, refused: false },
    },
    {
      name: 'librdkafka 2.3: acks=all, retries unlimited, no idempotence',
      client: 'librdkafka',
      version: '2.3.0',
      settings: {},
      expected: { acks: 'all', idempotence: false, retries: MAX, refused: false },
    },
    {
      name: 'librdkafka: idempotence with acks=1 fails to instantiate',
      client: 'librdkafka',
      version: '2.3.0',
      settings: { idempotence: 'true', acks: '1' },
      expected: { acks: 'leader', idempotence: true, retries: MAX, refused: true },
    },
    {
      name: 'librdkafka: acks=2 is refused by brokers',
      client: 'librdkafka',
      version: '2.3.0',
      settings: { acks: '2' },
      expected: { acks: 'all', idempotence: false, retries: MAX, refused: true },
    },
    {
      name: 'kafkajs: acks=-1, not idempotent, 5 retries',
      client: 'kafkajs',
      version: '2.2.4',
      settings: {},
      expected: { acks: 'all', idempotence: false, retries: 5, refused: false },
    },
    {
      name: 'kafkajs: idempotent still gets 5 retries through kafka.producer()',
      client: 'kafkajs',
      version: null,
      settings: { idempotence: 'true' },
      expected: { acks: 'all', idempotence: true, retries: 5, refused: false },
    },
    {
      name: 'kafkajs: idempotent with acks=1 — every send throws',
      client: 'kafkajs',
      version: null,
      settings: { idempotence: 'true', acks: '1' },
      expected: { acks: 'leader', idempotence: true, retries: 5, refused: true },
    },
  ] as { name: string; client: ClientRef['client']; version: string | null; settings: Record<string, string>; expected: ReturnType<typeof summary> }[])(
    '$name',
    ({ client, version, settings, expected }) => {
      expect(summary(settings, { client, version })).toEqual(expected)
    },
  )

  it('without a version the newest defaults are assumed, and said to be', () => {
    const java = resolved({}, { client: 'java', version: null })
    expect([java.acks.value, java.idempotence.value]).toEqual(['all', true])
    expect(java.assumptions[0]).toMatch(/no client version given: 3.2\+ defaults assumed/)
    expect(resolved({ acks: 'all', idempotence: 'true' }, { client: 'java', version: null }).assumptions).toEqual([])
    expect(resolved({}, { client: 'librdkafka', version: null }).assumptions[0]).toMatch(/before 1.0 acks defaulted to 1/)
  })

  it('says where each value comes from', () => {
    const r = resolved({ acks: '1' }, { client: 'java', version: '3.9.2' })
    expect([r.acks.from, r.idempotence.from, r.idempotence.note]).toEqual([
      'file',
      'default',
      'on by default, switched off by acks=1 (the client only logs it)',
    ])
  })
})
