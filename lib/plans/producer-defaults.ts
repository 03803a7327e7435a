// What a producer really does with its configuration: each client's defaults for acks, idempotence and
// retries, by version, and the rules that switch idempotence off or refuse to start. Verified in the clients'
// own sources (and the Java client measured), not taken from blog posts — the defaults moved:
//
// Java client (org.apache.kafka:kafka-clients), ProducerConfig at tags 2.0.0 … 3.9.0 and trunk 2024-10,
// plus ProducerConfig.configDef() and `new ProducerConfig(props)` run from kafka-clients 3.9.2 and 4.3.1:
//   - acks: "1" up to 2.8; "all" from 3.0.0.
//   - retries: 0 up to 2.0; Integer.MAX_VALUE from 2.1.0 (bounded by delivery.timeout.ms = 120000, new in 2.1).
//   - enable.idempotence: false up to 2.8; true from 3.0.0 — but 3.0.0 and 3.1.0 only honoured it when set
//     explicitly (ProducerConfig.idempotenceEnabled() checked originals(); fixed in 3.0.1, 3.1.1, 3.2.0).
//   - From 3.0.1/3.1.1/3.2.0, an unset enable.idempotence is switched off (logged, not refused) by acks other
//     than all or by retries=0; max.in.flight.requests.per.connection > 5 switches it off on 3.x but is a
//     ConfigException on 4.x (measured: 4.3.1 refuses, 3.9.2 disables). Set explicitly, any of the three is a
//     ConfigException. transactional.id without enable.idempotence turns it on.
//   - linger.ms went from 0 to 5 in 4.0 (measured 4.3.1); it does not change what an acknowledgement means.
// librdkafka (confluentinc/librdkafka CONFIGURATION.md at v0.11.6, v1.0.0 … v2.15.0):
//   - acks (alias of request.required.acks): 1 before v1.0.0; -1 (all) from v1.0.0. "all" is accepted as -1.
//   - retries (alias of message.send.max.retries): 2 up to v1.5.x; 2147483647 from v1.6.0.
//   - enable.idempotence: false in every version; when true it sets acks=all, retries=INT32_MAX and at most 5
//     requests in flight, and instantiation fails if the user set them otherwise.
//   - message.timeout.ms (alias delivery.timeout.ms): 300000.
// kafkajs (tulios/kafkajs src/producer/index.js, messageProducer.js, retry/defaults.js at v1.10.0 … v2.2.4):
//   - acks is a send() option, default -1 (all); idempotent: false; maxInFlightRequests: null (no limit).
//   - retries: 5 (retry/defaults.js). The producer would default an idempotent producer to MAX_SAFE_INTEGER
//     retries, as the docs say, but `kafka.producer()` always passes a (possibly empty) retry object, so an
//     idempotent producer made the usual way retries 5 times too.
//   - idempotent with acks other than -1: send() throws; idempotent with retries < 1: producer() throws.

import { parseVersion, versionBefore } from './client-config.ts'
import type { ClientRef, ParsedProducerConfig } from './producer-config.ts'

export type AcksMeaning = 'all' | 'leader' | 'none'

export interface ResolvedSetting<T> {
  readonly value: T
  /** Set in the file, or the client's default (for this version, or the newest when no version was given). */
  readonly from: 'file' | 'default' | 'implied'
  /** Why it is what it is, when that is not obvious (a default that changed, a rule that switched it off). */
  readonly note?: string
}

export interface ResolvedProducer {
  readonly path: string
  readonly client: ClientRef
  readonly acks: ResolvedSetting<AcksMeaning>
  readonly idempotence: ResolvedSetting<boolean>
  /** null: no limit the client puts on it (kafkajs has no delivery timeout; retries bounded otherwise). */
  readonly retries: ResolvedSetting<number>
  readonly maxInFlight: ResolvedSetting<number | null>
  readonly deliveryTimeoutMs: ResolvedSetting<number | null>
  /** The client refuses this configuration: the producer does not start (or every send fails). */
  readonly refusal: string | null
  /** What was assumed because no version was given, where versions differ. */
  readonly assumptions: readonly string[]
}

const intMax = 2_147_483_647

const before = versionBefore
const isTrue = (text: string | undefined) => text !== undefined && /^true$/i.test(text.trim())
const isFalse = (text: string | undefined) => text !== undefined && /^false$/i.test(text.trim())
const asInteger = (text: string | undefined): number | null => (text !== undefined && /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : null)

function acksMeaning(text: string): AcksMeaning | null {
  const t = text.trim().toLowerCase()
  if (t === 'all' || t === '-1') return 'all'
  if (t === '1') return 'leader'
  if (t === '0') return 'none'
  return null
}

function resolveJava(config: ParsedProducerConfig): ResolvedProducer {
  const s = config.settings
  const v = parseVersion(config.client.version)
  const assumptions: string[] = []
  let refusal: string | null = null
  const version = config.client.version ? `Java client ${config.client.version}` : 'Java client'
  if (v === null && (s.acks === undefined || s.idempotence === undefined)) {
    assumptions.push(
      'no client version given: 3.2+ defaults assumed (acks=all, idempotence on); before 3.0 the defaults were acks=1 and no idempotence — give producer-client=java@<version>',
    )
  }
  const acksGiven = s.acks === undefined ? null : acksMeaning(s.acks)
  if (s.acks !== undefined && acksGiven === null) refusal = `acks=${s.acks} is not a value the Java client accepts (all, -1, 0, 1): it will not start`
  const retriesGiven = asInteger(s.retries)
  const maxInFlight = asInteger(s.maxInFlight) ?? 5
  const explicitIdempotence = s.idempotence !== undefined
  const transactional = s.transactionalId !== undefined && s.transactionalId !== ''

  let idempotence: ResolvedSetting<boolean>
  if (explicitIdempotence) idempotence = { value: isTrue(s.idempotence), from: 'file' }
  else if (transactional) idempotence = { value: true, from: 'implied', note: 'transactional.id turns it on' }
  else if (before(v, 3, 0)) idempotence = { value: false, from: 'default', note: 'off by default before 3.0' }
  else if (v !== null && ((v[0] === 3 && v[1] === 0 && v[2] === 0) || (v[0] === 3 && v[1] === 1 && v[2] === 0))) {
    idempotence = {
      value: false,
      from: 'default',
      note: `${version} applies its default only when enable.idempotence is set explicitly (KAFKA-13598, fixed in 3.0.1/3.1.1/3.2.0)`,
    }
  } else {
    const offBecause = acksGiven !== null && acksGiven !== 'all' ? `acks=${s.acks}` : retriesGiven === 0 ? 'retries=0' : null
    if (offBecause) idempotence = { value: false, from: 'default', note: `on by default, switched off by ${offBecause} (the client only logs it)` }
    else if (maxInFlight > 5) {
      const refusedOn4 = v === null || v[0] >= 4
      idempotence = {
        value: false,
        from: 'default',
        note: `max.in.flight.requests.per.connection=${maxInFlight} > 5 ${refusedOn4 ? 'is refused by 4.x clients unless enable.idempotence=false' : 'switches it off (3.x)'}`,
      }
      if (refusedOn4 && v !== null)
        refusal = `${version} refuses max.in.flight.requests.per.connection=${maxInFlight} with idempotence on by default — set enable.idempotence=false or at most 5: it will not start`
      if (v === null)
        assumptions.push(`max.in.flight.requests.per.connection=${maxInFlight}: a 4.x client refuses to start with it; a 3.x client switches idempotence off`)
    } else idempotence = { value: true, from: 'default', note: 'on by default since 3.0.1/3.1.1/3.2.0' }
  }
  if (idempotence.value && idempotence.from !== 'default') {
    if (acksGiven !== null && acksGiven !== 'all')
      refusal ??= `enable.idempotence with acks=${s.acks}: the Java client refuses this (ConfigException) and will not start`
    if (retriesGiven === 0) refusal ??= 'enable.idempotence with retries=0: the Java client refuses this (ConfigException) and will not start'
    if (maxInFlight > 5) refusal ??= `enable.idempotence with max.in.flight.requests.per.connection=${maxInFlight}: refused (at most 5), it will not start`
    if (transactional && isFalse(s.idempotence)) refusal ??= 'transactional.id with enable.idempotence=false: the Java client refuses this and will not start'
  }
  const acks: ResolvedSetting<AcksMeaning> =
    acksGiven !== null
      ? { value: acksGiven, from: 'file' }
      : idempotence.value
        ? { value: 'all', from: 'implied', note: 'idempotence requires acks=all' }
        : before(v, 3, 0)
          ? { value: 'leader', from: 'default', note: 'acks=1 was the default before 3.0' }
          : { value: 'all', from: 'default', note: 'the default since 3.0' }
  const retries: ResolvedSetting<number> =
    retriesGiven !== null
      ? { value: retriesGiven, from: 'file' }
      : before(v, 2, 1) && !idempotence.value
        ? { value: 0, from: 'default', note: 'retries=0 was the default before 2.1' }
        : { value: intMax, from: 'default', note: 'bounded by delivery.timeout.ms' }
  const deliveryTimeout = asInteger(s.deliveryTimeoutMs)
  return {
    path: config.path,
    client: config.client,
    acks,
    idempotence,
    retries,
    maxInFlight: { value: maxInFlight, from: s.maxInFlight === undefined ? 'default' : 'file' },
    deliveryTimeoutMs:
      deliveryTimeout !== null
        ? { value: deliveryTimeout, from: 'file' }
        : before(v, 2, 1)
          ? { value: null, from: 'default', note: 'no delivery timeout before 2.1' }
          : { value: 120_000, from: 'default' },
    refusal,
    assumptions,
  }
}

function resolveLibrdkafka(config: ParsedProducerConfig): ResolvedProducer {
  const s = config.settings
  const v = parseVersion(config.client.version)
  const assumptions: string[] = []
  let refusal: string | null = null
  if (v === null && (s.acks === undefined || s.retries === undefined)) {
    assumptions.push(
      'no librdkafka version given: 1.6+ defaults assumed (acks=all, retries unlimited); before 1.0 acks defaulted to 1, before 1.6 retries to 2 — give producer-client=librdkafka@<version>',
    )
  }
  const acksGiven = s.acks === undefined ? null : acksMeaning(s.acks)
  const acksNumber = asInteger(s.acks)
  if (s.acks !== undefined && acksGiven === null) {
    refusal =
      acksNumber !== null && acksNumber > 1
        ? `acks=${s.acks}: librdkafka sends it, and brokers refuse every request with INVALID_REQUIRED_ACKS (only -1/all, 0, 1 are valid)`
        : `acks=${s.acks} is outside librdkafka's range (-1/all … 1000): it will not start`
  }
  const idempotence: ResolvedSetting<boolean> =
    s.idempotence !== undefined
      ? { value: isTrue(s.idempotence), from: 'file' }
      : { value: false, from: 'default', note: 'off by default in every librdkafka version' }
  const retriesGiven = asInteger(s.retries)
  const maxInFlight = asInteger(s.maxInFlight)
  if (idempotence.value) {
    if (acksGiven !== null && acksGiven !== 'all') refusal ??= `enable.idempotence with acks=${s.acks}: librdkafka fails to instantiate the producer`
    if (retriesGiven === 0) refusal ??= 'enable.idempotence with retries=0: librdkafka fails to instantiate the producer'
    if (maxInFlight !== null && maxInFlight > 5)
      refusal ??= `enable.idempotence with max.in.flight=${maxInFlight}: librdkafka fails to instantiate the producer (at most 5)`
  }
  const acks: ResolvedSetting<AcksMeaning> =
    acksGiven !== null
      ? { value: acksGiven, from: 'file' }
      : idempotence.value
        ? { value: 'all', from: 'implied', note: 'idempotence sets acks=all' }
        : before(v, 1, 0)
          ? { value: 'leader', from: 'default', note: 'acks=1 was the default before v1.0.0' }
          : { value: 'all', from: 'default', note: 'the default since v1.0.0' }
  const retries: ResolvedSetting<number> =
    retriesGiven !== null
      ? { value: retriesGiven, from: 'file' }
      : idempotence.value
        ? { value: intMax, from: 'implied', note: 'idempotence sets retries to the maximum' }
        : before(v, 1, 6)
          ? { value: 2, from: 'default', note: 'retries defaulted to 2 before v1.6.0' }
          : { value: intMax, from: 'default', note: 'bounded by message.timeout.ms' }
  const deliveryTimeout = asInteger(s.deliveryTimeoutMs)
  return {
    path: config.path,
    client: config.client,
    acks,
    idempotence,
    retries,
    maxInFlight:
      maxInFlight !== null ? { value: maxInFlight, from: 'file' } : idempotence.value ? { value: 5, from: 'implied' } : { value: 1_000_000, from: 'default' },
    deliveryTimeoutMs: deliveryTimeout !== null ? { value: deliveryTimeout, from: 'file' } : { value: 300_000, from: 'default' },
    refusal,
    assumptions,
  }
}

function resolveKafkajs(config: ParsedProducerConfig): ResolvedProducer {
  const s = config.settings
  let refusal: string | null = null
  const acksGiven = s.acks === undefined ? null : acksMeaning(s.acks)
  if (s.acks !== undefined && acksGiven === null)
    refusal = `acks=${s.acks}: brokers refuse every produce request with INVALID_REQUIRED_ACKS (kafkajs passes it through; valid: -1, 0, 1)`
  const idempotence: ResolvedSetting<boolean> =
    s.idempotence !== undefined
      ? { value: isTrue(s.idempotence), from: 'file' }
      : { value: false, from: 'default', note: 'kafkajs producers are not idempotent unless asked' }
  const retriesGiven = asInteger(s.retries)
  if (idempotence.value && acksGiven !== null && acksGiven !== 'all')
    refusal ??= `idempotent with acks=${s.acks}: every kafkajs send() throws (KafkaJSNonRetriableError)`
  if (idempotence.value && retriesGiven !== null && retriesGiven < 1) refusal ??= 'idempotent with retries < 1: kafkajs refuses to create the producer'
  const maxInFlight = asInteger(s.maxInFlight)
  return {
    path: config.path,
    client: config.client,
    acks: acksGiven !== null ? { value: acksGiven, from: 'file' } : { value: 'all', from: 'default', note: 'send() defaults to acks=-1' },
    idempotence,
    retries:
      retriesGiven !== null
        ? { value: retriesGiven, from: 'file' }
        : {
            value: 5,
            from: 'default',
            note: idempotence.value
              ? 'an idempotent producer made with kafka.producer() also gets 5 (the documented MAX_SAFE_INTEGER is overridden by the client-level retry object)'
              : 'kafkajs retry default',
          },
    maxInFlight: maxInFlight !== null ? { value: maxInFlight, from: 'file' } : { value: null, from: 'default', note: 'no limit' },
    deliveryTimeoutMs: {
      value: null,
      from: 'default',
      note: 'kafkajs has no delivery timeout: a send fails after its retries (at most retry.maxRetryTime, 30 s, between attempts)',
    },
    refusal,
    assumptions: [],
  }
}

/** The producer's effective settings for its client and version, with where each comes from. */
export function resolveProducer(config: ParsedProducerConfig): ResolvedProducer {
  switch (config.client.client) {
    case 'java':
      return resolveJava(config)
    case 'librdkafka':
      return resolveLibrdkafka(config)
    case 'kafkajs':
      return resolveKafkajs(config)
  }
}
