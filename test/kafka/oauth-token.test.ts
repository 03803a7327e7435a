// The client-credentials grant as Kafka's Java client makes it, against a local identity provider: the token,
// kept until most of its lifetime is gone; and one line for a refused client, an unreachable endpoint, a file.

import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fetchToken, jwtClaims, OAuthTokenSource } from '../../lib/kafka/oauth-token.ts'
import { startTokenEndpoint, type TokenEndpoint } from '../support/token-endpoint.ts'

let idp: TokenEndpoint

beforeAll(async () => {
  idp = await startTokenEndpoint({ port: 0, clients: { app: 'app-secret', 'odd id': 'p:w&d' }, lifetimeS: 600 })
})
afterAll(async () => idp?.close())

const credentials = (over: Record<string, string> = {}) => ({ tokenEndpointUrl: idp.tokenUrl, clientId: 'app', clientSecret: 'app-secret', ...over })

describe('client credentials', () => {
  it('gets a token for the client, with the scope asked for', async () => {
    const { token, expiresAtMs } = await fetchToken(credentials({ scope: 'kafka.read kafka.write' }), 5000)
    expect(jwtClaims(token)).toMatchObject({ sub: 'app', scope: 'kafka.read kafka.write' })
    expect(idp.requestedScopes.at(-1)).toBe('kafka.read kafka.write')
    expect(expiresAtMs! - Date.now()).toBeGreaterThan(590_000)
  })

  it('sends the id and secret as they are in the Basic header (Kafka does not URL-encode them unless told to)', async () => {
    const { token } = await fetchToken(credentials({ clientId: 'odd id', clientSecret: 'p:w&d' }), 5000)
    expect(jwtClaims(token)?.sub).toBe('odd id')
  })

  it('keeps a token until 80 % of its lifetime has passed', async () => {
    const source = new OAuthTokenSource(credentials())
    const before = idp.issued.length
    const [a, b] = await Promise.all([source.token(), source.token()])
    expect(a).toBe(b)
    expect(await source.token()).toBe(a)
    expect(idp.issued.length).toBe(before + 1)
  })

  it.each([
    [
      'a wrong secret',
      () => credentials({ clientSecret: 'nope' }),
      'oauth-client-refused',
      /^the token endpoint http:\/\/127\.0\.0\.1:\d+\/token refused client "app" \(HTTP 401 invalid_client: client authentication failed\) — check clientId and clientSecret in sasl\.jaas\.config$/,
    ],
    [
      'a scope it refuses',
      () => credentials({ scope: 'ALL THE THINGS' }),
      'oauth-scope-refused',
      /refused the scope "ALL THE THINGS" \(HTTP 400 invalid_scope\) — check sasl\.oauthbearer\.scope$/,
    ],
    [
      'nothing listening',
      () => credentials({ tokenEndpointUrl: 'http://127.0.0.1:9/token' }),
      'oauth-endpoint-unreachable',
      /^cannot reach the token endpoint http:\/\/127\.0\.0\.1:9\/token \(ECONNREFUSED\) — check sasl\.oauthbearer\.token\.endpoint\.url$/,
    ],
  ])('%s is one line', async (_name, given, reason, line) => {
    const error = (await fetchToken(given(), 5000).then(
      () => null,
      (e: unknown) => e,
    )) as { message: string; reason: string }
    expect(error.reason).toBe(reason)
    expect(error.message).toMatch(line)
  })

  it('reads a ready token from a file: URL, as Kafka does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oauth-file-'))
    const token = idp.forgeToken({ sub: 'from-file', exp: 2_000_000_000 })
    writeFileSync(join(dir, 'token.jwt'), `${token}\n`)
    const url = pathToFileURL(join(dir, 'token.jwt')).href
    expect(await fetchToken({ tokenEndpointUrl: url, clientId: '', clientSecret: '' }, 1000)).toEqual({ token, expiresAtMs: 2_000_000_000_000 })
    await expect(fetchToken({ tokenEndpointUrl: `${url}.missing`, clientId: '', clientSecret: '' }, 1000)).rejects.toThrow(
      /cannot read the token file .* \(ENOENT\)/,
    )
  })
})
