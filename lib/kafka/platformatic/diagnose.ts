// A connection failure explained: the client's error, and when that is not plainly "nothing listens" or "too
// slow", a look at the listener (listener-probe.ts) judged by connection-diagnosis.ts.

import { explainConnectionFailure, type FailureFacts } from '../connection-diagnosis.ts'
import { type ConnectionOptions, KafkaConnectionError } from '../types.ts'
import { chain, connectionError } from './faults.ts'
import { observeListener } from './listener-probe.ts'

/**
 * The one-line error for a cluster that cannot be asked at all, with its cause found: when the failure is
 * not plainly "nothing listens" or "too slow", a probe of the listener tells a TLS or SASL mismatch, a
 * rejected certificate or refused credentials apart, and the line names the property to change.
 */
export async function explainedConnectionError(error: unknown, options: ConnectionOptions): Promise<KafkaConnectionError> {
  // Ours already (the OAuth token endpoint refused us): it says what to fix.
  const own = chain(error).find((e): e is KafkaConnectionError => e instanceof KafkaConnectionError)
  if (own) return own
  const generic = connectionError(error, options.bootstrapServers)
  const codes = chain(error).map((e) => e.code ?? '')
  if (generic.kind === 'timeout' || generic.kind === 'unsupported' || (codes.includes('ECONNREFUSED') && !options.tls && !options.sasl)) return generic
  const facts = failureFacts(error)
  for (const server of options.bootstrapServers) {
    const seen = await observeListener(server, options).catch(() => null)
    if (!seen || seen.tcp !== 'open') continue
    const explained = explainConnectionFailure(seen, options, facts)
    if (!explained) return generic
    return new KafkaConnectionError(explained.kind, explained.message, { cause: error, reason: explained.reason, property: explained.property })
  }
  return generic
}

/** The broker's SASL answer in the failure, if the attempt got that far. */
function failureFacts(error: unknown): FailureFacts {
  const sasl = chain(error).find((e) => e.apiCode === 33 || e.apiCode === 34 || e.apiCode === 58)
  const message = sasl?.serverErrorMessage && !/^SASL authentication failed\.?$/.test(sasl.serverErrorMessage) ? sasl.serverErrorMessage : null
  return { saslErrorCode: sasl?.apiCode ?? null, brokerMessage: message }
}
