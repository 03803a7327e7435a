// OAUTHBEARER with the client-credentials grant, as Java clients (3.x JAAS options, 4.x keys) and librdkafka
// (OIDC) configure it, against the local token endpoint the global setup started and brokers that validate
// its tokens with its JWKS; Kafka's own tool with the same file as the oracle; one line for each refusal.

import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { runCli } from '../../support/run-cli.ts'
import { clientPath, connectWith, kafkaToolWith, secureSandbox } from '../../support/secure-sandbox.ts'
import { withoutSlowBrokerNotices } from '../../support/stderr.ts'

const dir = mkdtempSync(join(tmpdir(), 'secure-oauth-'))
const first = (servers: string | undefined) => servers!.split(',')[0]!

function file(name: string, lines: readonly string[]): string {
  const path = join(dir, `${name}.properties`)
  writeFileSync(path, lines.join('\n') + '\n')
  return path
}

const common = () => [
  `bootstrap.servers=${secureSandbox().status.listeners.OAUTH}`,
  'security.protocol=SASL_SSL',
  'sasl.mechanism=OAUTHBEARER',
  `sasl.oauthbearer.token.endpoint.url=${secureSandbox().oauth.tokenUrl}`,
  'sasl.login.callback.handler.class=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler',
  'ssl.truststore.type=PEM',
  `ssl.truststore.location=${clientPath('ca.crt')}`,
]
const loginModule = 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule'

describe('client credentials', () => {
  it('the Java 3.x style file: we and kafka-topics both get in', async () => {
    const { clientId, clientSecret } = secureSandbox().oauth
    const path = file('oauth-jaas', [
      ...common(),
      `sasl.jaas.config=${loginModule} required clientId="${clientId}" clientSecret="${clientSecret}" scope="kafka";`,
    ])
    const { kafka } = await connectWith(path)
    try {
      expect((await kafka.cluster()).brokers).toHaveLength(3)
    } finally {
      await kafka.close()
    }
    const tool = await kafkaToolWith('kafka-topics', secureSandbox().status.listeners.OAUTH!, path, ['--list'])
    expect(tool.exitCode, tool.stderr).toBe(0)
  })

  it.each([
    [
      'the Java 4.x keys',
      () => [
        ...common(),
        `sasl.oauthbearer.client.credentials.client.id=${secureSandbox().oauth.clientId}`,
        `sasl.oauthbearer.client.credentials.client.secret=${secureSandbox().oauth.clientSecret}`,
        'sasl.oauthbearer.scope=kafka',
        `sasl.jaas.config=${loginModule} required;`,
      ],
    ],
    [
      "librdkafka's OIDC keys",
      () => [
        `bootstrap.servers=${secureSandbox().status.listeners.OAUTH}`,
        'security.protocol=sasl_ssl',
        'sasl.mechanisms=OAUTHBEARER',
        'sasl.oauthbearer.method=oidc',
        `sasl.oauthbearer.token.endpoint.url=${secureSandbox().oauth.tokenUrl}`,
        `sasl.oauthbearer.client.id=${secureSandbox().oauth.clientId}`,
        `sasl.oauthbearer.client.secret=${secureSandbox().oauth.clientSecret}`,
        `ssl.ca.location=${clientPath('ca.crt')}`,
      ],
    ],
  ])('%s: `runbook status` gets in', async (name, lines) => {
    const result = await runCli(['status', '--json', '--command-config', file(name.replace(/\W+/g, '-'), lines())])
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout).brokers).toHaveLength(3)
  })
})

describe('refusals, one line each', () => {
  it('a client secret the identity provider refuses', async () => {
    const path = file('oauth-bad-secret', [
      ...common(),
      `sasl.jaas.config=${loginModule} required clientId="${secureSandbox().oauth.clientId}" clientSecret="wrong";`,
    ])
    const result = await runCli(['status', '--command-config', path])
    expect(withoutSlowBrokerNotices(result.stderr).trim()).toBe(
      `runbook status: the token endpoint ${secureSandbox().oauth.tokenUrl} refused client "${secureSandbox().oauth.clientId}" (HTTP 401 invalid_client: client authentication failed) — check clientId and clientSecret in sasl.jaas.config`,
    )
  })

  it('a token endpoint nobody answers on', async () => {
    const path = file('oauth-endpoint-down', [
      ...common().filter((line) => !line.startsWith('sasl.oauthbearer.token.endpoint.url')),
      'sasl.oauthbearer.token.endpoint.url=http://127.0.0.1:9/token',
      `sasl.jaas.config=${loginModule} required clientId="x" clientSecret="y";`,
    ])
    expect(withoutSlowBrokerNotices((await runCli(['status', '--command-config', path])).stderr).trim()).toBe(
      'runbook status: cannot reach the token endpoint http://127.0.0.1:9/token (ECONNREFUSED) — check sasl.oauthbearer.token.endpoint.url',
    )
  })

  it('a token the brokers cannot validate (signed by another key); Kafka refuses it too', async () => {
    const forged = join(dir, 'forged.jwt')
    const now = Math.floor(Date.now() / 1000)
    // A well-formed RS256 token whose key id the brokers' JWKS does not have.
    const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: 'not-ours' })).toString('base64url')
    const payload = Buffer.from(JSON.stringify({ sub: 'mallory', iat: now, exp: now + 600 })).toString('base64url')
    writeFileSync(forged, `${header}.${payload}.${Buffer.from('not a signature').toString('base64url')}`)
    const oauth = first(secureSandbox().status.listeners.OAUTH)
    const path = file('oauth-forged', [
      'security.protocol=SASL_SSL',
      'sasl.mechanism=OAUTHBEARER',
      `sasl.oauthbearer.token.endpoint.url=${pathToFileURL(forged).href}`,
      'ssl.truststore.type=PEM',
      `ssl.truststore.location=${clientPath('ca.crt')}`,
    ])
    const result = await runCli(['status', '--command-config', path, '--bootstrap-server', oauth])
    expect(withoutSlowBrokerNotices(result.stderr).trim()).toBe(
      `runbook status: the brokers at ${oauth} rejected the OAuth token of client "" (the broker said: {"status":"invalid_token"}) — check the token's audience, issuer, scope and signing key against the brokers' sasl.oauthbearer.* settings`,
    )
  })

  it('OAUTHBEARER against the SCRAM listener', async () => {
    const saslSsl = first(secureSandbox().status.listeners.SASL_SSL)
    const path = file('oauth-to-scram', [
      ...common(),
      `sasl.jaas.config=${loginModule} required clientId="${secureSandbox().oauth.clientId}" clientSecret="${secureSandbox().oauth.clientSecret}";`,
    ])
    expect(withoutSlowBrokerNotices((await runCli(['status', '--command-config', path, '--bootstrap-server', saslSsl])).stderr).trim()).toBe(
      `runbook status: the listener at ${saslSsl} does not enable SASL OAUTHBEARER (it offers SCRAM-SHA-512, PLAIN, SCRAM-SHA-256) — set sasl.mechanism=SCRAM-SHA-512 (or another it offers)`,
    )
  })
})
