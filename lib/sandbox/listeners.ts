// Where a sandbox broker listens, by security mode. The PLAINTEXT listener is always there: brokers replicate
// over it and the sandbox's own readiness probe and control code use it, so they need no credentials. The
// secured listeners sit beside it, each on its own block of ports. Pure: configuration in, ports out.

/** How a sandbox's clients connect: `plaintext` only, `ssl` adds a TLS listener that requires client certificates, `sasl_ssl` adds SASL over TLS too. */
export type SandboxSecurity = 'plaintext' | 'ssl' | 'sasl_ssl'

export const sandboxSecurities: readonly SandboxSecurity[] = ['plaintext', 'ssl', 'sasl_ssl']

/** A listener name as brokers know it; OAUTH is a SASL_SSL listener that only takes OAUTHBEARER tokens. */
export type ListenerName = 'PLAINTEXT' | 'SASL_SSL' | 'SSL' | 'OAUTH'

export interface BrokerListener {
  readonly name: ListenerName
  readonly protocol: 'PLAINTEXT' | 'SSL' | 'SASL_SSL'
  readonly port: number
}

interface ListenerLayout {
  readonly basePort: number
  readonly brokers: number
  readonly security: SandboxSecurity
  /** The JWKS the OAUTH listener validates tokens against; null: no OAUTH listener. */
  readonly oauthJwksUrl: string | null
}

// Broker n listens on basePort + offset + n: PLAINTEXT 1-9, SASL_SSL 11-19, SSL 21-29, OAUTH 31-39.
const portOffsets: Record<ListenerName, number> = { PLAINTEXT: 0, SASL_SSL: 10, SSL: 20, OAUTH: 30 }
const protocols: Record<ListenerName, BrokerListener['protocol']> = { PLAINTEXT: 'PLAINTEXT', SASL_SSL: 'SASL_SSL', SSL: 'SSL', OAUTH: 'SASL_SSL' }

/** The SASL mechanisms the SASL_SSL listener enables (OAUTHBEARER has its own listener). */
export const saslMechanisms = ['SCRAM-SHA-512', 'SCRAM-SHA-256', 'PLAIN'] as const

/** The listeners every broker of this layout has, PLAINTEXT first. */
export function listenerNames(layout: Pick<ListenerLayout, 'security' | 'oauthJwksUrl'>): ListenerName[] {
  const names: ListenerName[] = ['PLAINTEXT']
  if (layout.security === 'sasl_ssl') names.push('SASL_SSL')
  if (layout.security !== 'plaintext') names.push('SSL')
  if (layout.security === 'sasl_ssl' && layout.oauthJwksUrl) names.push('OAUTH')
  return names
}

/** Broker `brokerId`'s listeners with their ports. */
export function brokerListeners(layout: ListenerLayout, brokerId: number): BrokerListener[] {
  return listenerNames(layout).map((name) => ({ name, protocol: protocols[name], port: layout.basePort + portOffsets[name] + brokerId }))
}

/** host:port list of every broker's listener of this name, as a client's bootstrap servers. */
export function listenerBootstrap(layout: ListenerLayout, name: ListenerName): string {
  return Array.from({ length: layout.brokers }, (_, i) => `127.0.0.1:${layout.basePort + portOffsets[name] + i + 1}`).join(',')
}

/** Every port the sandbox listens on (controller included), for the busy-port check. */
export function sandboxPorts(layout: ListenerLayout): number[] {
  const ports = [layout.basePort]
  for (let id = 1; id <= layout.brokers; id++) ports.push(...brokerListeners(layout, id).map((listener) => listener.port))
  return ports
}

/** The highest port a layout uses: base + 39 with every listener. */
export function highestPort(layout: ListenerLayout): number {
  return Math.max(...sandboxPorts(layout))
}
