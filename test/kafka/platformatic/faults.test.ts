// How client failures become values or one-line connection errors. The errors are built from the client's own
// error classes, shaped as it throws them; no Kafka is mocked here.

import { AuthenticationError, MultipleErrors, NetworkError, ProtocolError, ResponseError, TimeoutError } from '@platformatic/kafka'
import { describe, expect, it } from 'vitest'
import { brokerFault, connectionError, connectionFaultKind, protocolErrorOf, responseOf } from '../../../lib/kafka/platformatic/faults.ts'

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9092'), { code: 'ECONNREFUSED' })
const cannotConnect = (cause: Error) =>
  new MultipleErrors('Cannot connect to any broker.', [new NetworkError('Connection to 127.0.0.1:9092 failed.', { cause })])

describe('connection faults', () => {
  it.each([
    {
      name: 'refused connection',
      error: cannotConnect(refused()),
      kind: 'unreachable',
      line: 'cannot reach k:9092 (ECONNREFUSED) — check --bootstrap-server and that the brokers are up and reachable from here',
    },
    {
      name: 'unknown host',
      error: cannotConnect(Object.assign(new Error('getaddrinfo ENOTFOUND k'), { code: 'ENOTFOUND' })),
      kind: 'unreachable',
      line: 'cannot reach k:9092 (ENOTFOUND) — check --bootstrap-server and that the brokers are up and reachable from here',
    },
    {
      name: 'connect timeout',
      error: cannotConnect(new TimeoutError('Connection to 127.0.0.1:9092 timed out.')),
      kind: 'timeout',
      line: 'timed out talking to k:9092',
    },
    {
      name: 'SASL rejected',
      error: cannotConnect(
        new AuthenticationError('SASL authentication failed.', {
          cause: new ResponseError(36, 2, { '/': [58, 'Authentication failed: Invalid username or password'] }, {}),
        }),
      ),
      kind: 'auth',
      line: 'authentication failed at k:9092 (SASL_AUTHENTICATION_FAILED) — check the SASL mechanism, username and password in --command-config',
    },
    {
      name: 'TLS certificate',
      error: cannotConnect(Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' })),
      kind: 'tls',
      line: 'TLS handshake failed with k:9092 (DEPTH_ZERO_SELF_SIGNED_CERT)',
    },
  ])('$name → $kind', ({ error, kind, line }) => {
    expect(connectionFaultKind(error)).toBe(kind)
    const fault = connectionError(error, ['k:9092'])
    expect(fault.kind).toBe(kind)
    expect(fault.message).toContain(line)
    expect(fault.message.split('\n')).toHaveLength(1)
  })

  it('a protocol error is not a connection fault', () => {
    expect(connectionFaultKind(new ResponseError(3, 12, { '/topics/0/partitions/0': [5, null] }, { topics: [] }))).toBeNull()
  })
})

describe('per-item errors', () => {
  it('keeps the decoded answer the client attached to a per-partition error', () => {
    const response = { topics: [{ name: 't', partitions: [{ errorCode: 5 }] }] }
    const error = new ResponseError(3, 12, { '/topics/0/partitions/0': [5, null] }, response)
    expect(responseOf(error)).toBe(response)
    expect(protocolErrorOf(error)).toMatchObject({ code: 5, name: 'LEADER_NOT_AVAILABLE' })
  })

  it('a broker that does not answer is BROKER_NOT_AVAILABLE (or REQUEST_TIMED_OUT), never silence', () => {
    expect(brokerFault(3, cannotConnect(refused()))).toMatchObject({ code: 8, name: 'BROKER_NOT_AVAILABLE' })
    expect(brokerFault(3, new TimeoutError('Request timed out'))).toMatchObject({ code: 7, name: 'REQUEST_TIMED_OUT' })
    expect(brokerFault(3, new ProtocolError(6, 'not a replica'))).toMatchObject({ code: 6, name: 'NOT_LEADER_OR_FOLLOWER' })
  })
})
