// A local OAuth 2 identity provider for the OAUTHBEARER tests: the client-credentials grant at POST /token
// (HTTP Basic client id and secret, as Kafka's Java client sends them) answering RS256 JWTs, and the signing
// key at GET /jwks for the brokers to validate them. Only on 127.0.0.1; every token is recorded. The tokens
// carry no "aud": a broker without sasl.oauthbearer.expected.audience rejects any token that has one.

import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto'
import { createServer, type Server } from 'node:http'

export interface TokenEndpoint {
  readonly tokenUrl: string
  readonly jwksUrl: string
  readonly issuer: string
  /** Client id → secret of the clients it knows. */
  readonly clients: ReadonlyMap<string, string>
  /** Every token it issued, newest last (the test scans transcripts for them). */
  readonly issued: readonly string[]
  /** The scopes each token request asked for, in order. */
  readonly requestedScopes: readonly (string | null)[]
  /** Signs claims with a key the brokers do not know: a token they must reject. */
  forgeToken(claims: Record<string, unknown>): string
  close(): Promise<void>
}

export interface TokenEndpointOptions {
  readonly port: number
  readonly clients: Readonly<Record<string, string>>
  /** Token lifetime in seconds (expires_in and exp). */
  readonly lifetimeS?: number
  /** A PEM private key to sign with, so that tokens stay valid for brokers that cached its JWKS in an earlier run. */
  readonly signingKeyPem?: string
}

/** Starts the endpoint on 127.0.0.1:port. */
export async function startTokenEndpoint(options: TokenEndpointOptions): Promise<TokenEndpoint> {
  const privateKey = options.signingKeyPem ? createPrivateKey(options.signingKeyPem) : generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
  const strangerKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
  const kid = createPublicKey(privateKey).export({ format: 'jwk' }).n!.slice(0, 16)
  let base = `http://127.0.0.1:${options.port}`
  const clients = new Map(Object.entries(options.clients))
  const issued: string[] = []
  const requestedScopes: (string | null)[] = []
  const lifetimeS = options.lifetimeS ?? 3600

  const jwt = (claims: Record<string, unknown>, key: KeyObject, keyId: string) => {
    const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: keyId })).toString('base64url')
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url')
    const signature = sign('sha256', Buffer.from(`${header}.${payload}`), key).toString('base64url')
    return `${header}.${payload}.${signature}`
  }

  const server: Server = createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    if (req.method === 'GET' && req.url === '/jwks') {
      const jwk = createPublicKey(privateKey).export({ format: 'jwk' })
      return reply(200, { keys: [{ ...jwk, kid, alg: 'RS256', use: 'sig' }] })
    }
    if (req.method !== 'POST' || req.url !== '/token') return reply(404, { error: 'not_found' })
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
      const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1]
      const [id, secret] = basic ? Buffer.from(basic, 'base64').toString('utf8').split(/:(.*)/s) : []
      if (form.get('grant_type') !== 'client_credentials') return reply(400, { error: 'unsupported_grant_type' })
      if (!id || clients.get(id) === undefined || clients.get(id) !== secret) {
        return reply(401, { error: 'invalid_client', error_description: 'client authentication failed' })
      }
      const scope = form.get('scope')
      requestedScopes.push(scope)
      if (scope !== null && scope.split(' ').some((s) => !/^[a-z.:-]+$/.test(s))) return reply(400, { error: 'invalid_scope' })
      const now = Math.floor(Date.now() / 1000)
      const token = jwt(
        { sub: id, iss: base, iat: now, exp: now + lifetimeS, jti: randomBytes(8).toString('hex'), ...(scope ? { scope } : {}) },
        privateKey,
        kid,
      )
      issued.push(token)
      reply(200, { access_token: token, token_type: 'Bearer', expires_in: lifetimeS })
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, '127.0.0.1', () => resolve())
  })
  // Port 0: the system picked one.
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  return {
    tokenUrl: `${base}/token`,
    jwksUrl: `${base}/jwks`,
    issuer: base,
    clients,
    issued,
    requestedScopes,
    forgeToken: (claims) => jwt(claims, strangerKey, kid),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
