// OAUTHBEARER tokens from the identity provider's token endpoint with the client-credentials grant, the way
// Kafka's Java client asks for them (POST grant_type=client_credentials[&scope=…], HTTP Basic with the client
// id and secret, access_token from the JSON answer), or from a file (file: URL) as Kafka's file retriever.
// A token is kept until 80 % of its lifetime has passed; every failure is one line saying what to fix.

import { readFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { fileURLToPath } from 'node:url'
import { KafkaConnectionError, type OAuthClientCredentials } from './types.ts'

const urlProperty = 'sasl.oauthbearer.token.endpoint.url'

export interface FetchedToken {
  readonly token: string
  /** When the token expires (ms since the epoch), from expires_in or the token's own exp claim; null when neither says. */
  readonly expiresAtMs: number | null
}

/** Hands out a valid token, asking the endpoint again only when the one it has is near its end. */
export class OAuthTokenSource {
  readonly #credentials: OAuthClientCredentials
  readonly #timeoutMs: number
  #current: { token: string; refreshAtMs: number } | null = null
  #pending: Promise<string> | null = null

  constructor(credentials: OAuthClientCredentials, timeoutMs = 10_000) {
    this.#credentials = credentials
    this.#timeoutMs = timeoutMs
  }

  token(): Promise<string> {
    if (this.#current && Date.now() < this.#current.refreshAtMs) return Promise.resolve(this.#current.token)
    this.#pending ??= fetchToken(this.#credentials, this.#timeoutMs)
      .then(({ token, expiresAtMs }) => {
        const now = Date.now()
        // A token without a stated lifetime is asked for again after a minute.
        this.#current = { token, refreshAtMs: expiresAtMs === null ? now + 60_000 : now + Math.max(0, expiresAtMs - now) * 0.8 }
        return token
      })
      .finally(() => {
        this.#pending = null
      })
    return this.#pending
  }
}

/** One token from the endpoint (or file) the credentials name. */
export async function fetchToken(credentials: OAuthClientCredentials, timeoutMs: number): Promise<FetchedToken> {
  const url = new URL(credentials.tokenEndpointUrl)
  if (url.protocol === 'file:') return tokenFromFile(url)
  const body = `grant_type=client_credentials${credentials.scope ? `&scope=${encodeURIComponent(credentials.scope)}` : ''}`
  const encode = credentials.urlEncodeHeader ? (text: string) => encodeURIComponent(text) : (text: string) => text
  const basic = Buffer.from(`${encode(credentials.clientId)}:${encode(credentials.clientSecret)}`).toString('base64')
  const answer = await post(url, body, basic, timeoutMs)
  const where = `the token endpoint ${url.origin}${url.pathname}`
  if (answer.status < 200 || answer.status > 299) {
    const error = oauthError(answer.body)
    const said = `HTTP ${answer.status}${error.code ? ` ${error.code}` : ''}${error.description ? `: ${error.description.slice(0, 160)}` : ''}`
    if (error.code === 'invalid_client' || error.code === 'unauthorized_client' || answer.status === 401) {
      throw authError(
        `${where} refused client "${credentials.clientId}" (${said}) — check clientId and clientSecret in sasl.jaas.config`,
        'oauth-client-refused',
        'sasl.jaas.config',
      )
    }
    if (error.code === 'invalid_scope') {
      throw authError(
        `${where} refused the scope "${credentials.scope ?? ''}" (${said}) — check sasl.oauthbearer.scope`,
        'oauth-scope-refused',
        'sasl.oauthbearer.scope',
      )
    }
    throw authError(`${where} answered ${said} — check ${urlProperty} and the identity provider`, 'oauth-endpoint-error', urlProperty)
  }
  let parsed: { access_token?: unknown; expires_in?: unknown }
  try {
    parsed = JSON.parse(answer.body) as typeof parsed
  } catch {
    throw authError(`${where} answered without JSON — is ${urlProperty} the token endpoint?`, 'oauth-endpoint-error', urlProperty)
  }
  if (typeof parsed.access_token !== 'string' || parsed.access_token === '') {
    throw authError(`${where} answered without an access_token — is ${urlProperty} the token endpoint?`, 'oauth-endpoint-error', urlProperty)
  }
  const lifetimeS = Number(parsed.expires_in)
  const expiresAtMs = Number.isFinite(lifetimeS) && lifetimeS > 0 ? Date.now() + lifetimeS * 1000 : jwtExpiry(parsed.access_token)
  return { token: parsed.access_token, expiresAtMs }
}

function tokenFromFile(url: URL): FetchedToken {
  let token: string
  try {
    token = readFileSync(fileURLToPath(url), 'utf8').trim()
  } catch (error) {
    throw authError(
      `cannot read the token file ${fileURLToPath(url)} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}) — check ${urlProperty}`,
      'oauth-token-file',
      urlProperty,
    )
  }
  if (token === '') throw authError(`the token file ${fileURLToPath(url)} is empty — check ${urlProperty}`, 'oauth-token-file', urlProperty)
  return { token, expiresAtMs: jwtExpiry(token) }
}

function post(url: URL, body: string, basic: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: 'POST',
        timeout: timeoutMs,
        headers: {
          Accept: 'application/json',
          Authorization: `Basic ${basic}`,
          'Cache-Control': 'no-cache',
          'Content-Type': 'application/x-www-form-urlencoded',
          'Content-Length': Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }))
        res.on('error', reject)
      },
    )
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })))
    req.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        authError(
          `cannot reach the token endpoint ${url.origin}${url.pathname} (${error.code ?? error.message.split('\n')[0]}) — check ${urlProperty}`,
          'oauth-endpoint-unreachable',
          urlProperty,
        ),
      ),
    )
    req.end(body)
  })
}

/** The OAuth error fields of an error answer (RFC 6749 §5.2), as far as the body has them. */
function oauthError(body: string): { code: string | null; description: string | null } {
  try {
    const parsed = JSON.parse(body) as { error?: unknown; error_description?: unknown }
    return {
      code: typeof parsed.error === 'string' ? parsed.error : null,
      description: typeof parsed.error_description === 'string' ? parsed.error_description : null,
    }
  } catch {
    return { code: null, description: null }
  }
}

/** The exp claim of a JWT, in ms; null when the token is not a readable JWT. */
export function jwtExpiry(token: string): number | null {
  const claims = jwtClaims(token)
  return typeof claims?.exp === 'number' ? claims.exp * 1000 : null
}

/** The claims of a JWT (unverified: the broker verifies it); null when it is not one. */
export function jwtClaims(token: string): Record<string, unknown> | null {
  const payload = token.split('.')[1]
  if (!payload) return null
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown
    return claims && typeof claims === 'object' ? (claims as Record<string, unknown>) : null
  } catch {
    return null
  }
}

function authError(message: string, reason: string, property: string): KafkaConnectionError {
  return new KafkaConnectionError('auth', message, { reason, property })
}
