// The sasl.* keys of a client.properties — the Java client's (sasl.mechanism, sasl.jaas.config, the OAUTHBEARER
// token endpoint) and librdkafka's (sasl.mechanisms, sasl.username, sasl.oauthbearer.client.id …) — turned into
// SASL settings, with one line for each way of signing in that runbook cannot do.

import type { SettingsReader } from './connection-settings.ts'
import type { ConnectionSettingNames, OAuthClientCredentials, SaslSettings } from './types.ts'

type Names = Pick<ConnectionSettingNames, 'mechanism' | 'credentials'>

const supported = 'SCRAM-SHA-512, SCRAM-SHA-256, PLAIN, OAUTHBEARER (client credentials) or mutual TLS'

/** SASL settings from the sasl.* properties, with the names of the properties that gave them. */
export function readSaslSettings(settings: SettingsReader): { sasl: SaslSettings; names: Names } {
  const mechanismKey = settings.has('sasl.mechanism') ? 'sasl.mechanism' : settings.has('sasl.mechanisms') ? 'sasl.mechanisms' : null
  const mechanism = (mechanismKey ? settings.get(mechanismKey)! : 'GSSAPI').toUpperCase()
  const jaasText = settings.get('sasl.jaas.config')
  const jaas = jaasText !== undefined ? parseJaasOptions(jaasText) : new Map<string, string>()
  refuseMskIam(settings, mechanism, jaasText)
  if (mechanism === 'GSSAPI') {
    settings.fail(
      `${mechanismKey ? `${mechanismKey}=GSSAPI` : 'sasl.mechanism is not set, so Kafka would use GSSAPI, and GSSAPI'} (Kerberos) is not supported by runbook — connect through a listener with ${supported}`,
    )
  }
  const names: Names = { mechanism: mechanismKey ?? 'sasl.mechanism' }
  if (mechanism === 'OAUTHBEARER') return { sasl: { mechanism, oauth: readOAuth(settings, jaas) }, names }
  if (mechanism !== 'PLAIN' && mechanism !== 'SCRAM-SHA-256' && mechanism !== 'SCRAM-SHA-512') {
    settings.fail(`${mechanismKey}=${mechanism} is not supported — use ${supported}`)
  }
  const fromJaas = jaas.has('username') || jaas.has('password')
  const username = fromJaas ? jaas.get('username') : settings.get('sasl.username')
  const password = fromJaas ? jaas.get('password') : settings.get('sasl.password')
  const credentials = fromJaas ? 'sasl.jaas.config' : 'sasl.username / sasl.password'
  if (!username || password === undefined) {
    settings.fail(
      `SASL ${mechanism} needs a username and password — set sasl.jaas.config=${mechanism === 'PLAIN' ? 'org.apache.kafka.common.security.plain.PlainLoginModule' : 'org.apache.kafka.common.security.scram.ScramLoginModule'} required username="…" password="…";`,
    )
  }
  return { sasl: { mechanism, username, password }, names: { ...names, credentials } }
}

/** `org.x.LoginModule required username="a" password="b";` → {username: a, password: b}. */
export function parseJaasOptions(jaas: string): Map<string, string> {
  const fields = new Map<string, string>()
  const pattern = /([A-Za-z_][\w.]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s;"]+))/g
  for (const match of jaas.matchAll(pattern)) {
    fields.set(match[1]!, match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3]!)
  }
  return fields
}

/**
 * OAUTHBEARER the way Java clients (3.x JAAS options, 4.x sasl.oauthbearer.client.credentials.*) and
 * librdkafka (sasl.oauthbearer.method=oidc) get their token: the client-credentials grant at a token endpoint.
 */
function readOAuth(settings: SettingsReader, jaas: ReadonlyMap<string, string>): OAuthClientCredentials {
  const jwtBearer =
    (settings.get('sasl.oauthbearer.jwt.retriever.class') ?? '').includes('JwtBearer') ||
    settings.keys().some((key) => key.startsWith('sasl.oauthbearer.assertion.')) ||
    /jwt-bearer/.test(settings.get('sasl.oauthbearer.grant.type') ?? '')
  if (jwtBearer) settings.fail(`OAUTHBEARER with the jwt-bearer grant (sasl.oauthbearer.assertion.*) is not supported — use the client-credentials grant`)
  const method = settings.get('sasl.oauthbearer.method')
  const url = settings.get('sasl.oauthbearer.token.endpoint.url')
  if (url === undefined || (method !== undefined && method.toLowerCase() !== 'oidc')) {
    settings.fail(
      `OAUTHBEARER without sasl.oauthbearer.token.endpoint.url (Kafka's unsecured test tokens, or a login callback of your own) is not supported — set the token endpoint of your identity provider${method !== undefined ? ' and sasl.oauthbearer.method=oidc' : ''}`,
    )
  }
  if (!/^(https?|file):\/\//i.test(url)) settings.fail(`sasl.oauthbearer.token.endpoint.url=${url} is not an http(s):// or file:// URL`)
  const clientId = settings.get('sasl.oauthbearer.client.credentials.client.id') ?? jaas.get('clientId') ?? settings.get('sasl.oauthbearer.client.id')
  const clientSecret =
    settings.get('sasl.oauthbearer.client.credentials.client.secret') ?? jaas.get('clientSecret') ?? settings.get('sasl.oauthbearer.client.secret')
  const scope = settings.get('sasl.oauthbearer.scope') ?? jaas.get('scope')
  const isFile = /^file:/i.test(url)
  if (!isFile && (!clientId || clientSecret === undefined)) {
    settings.fail(
      `OAUTHBEARER needs a client id and secret for ${url} — set clientId="…" clientSecret="…" in sasl.jaas.config (or sasl.oauthbearer.client.credentials.client.id / .secret)`,
    )
  }
  const extensions: Record<string, string> = {}
  for (const [key, value] of jaas) if (key.startsWith('extension_')) extensions[key.slice('extension_'.length)] = value
  for (const pair of (settings.get('sasl.oauthbearer.extensions') ?? '').split(',').filter(Boolean)) {
    const eq = pair.indexOf('=')
    if (eq <= 0) settings.fail(`sasl.oauthbearer.extensions=${settings.get('sasl.oauthbearer.extensions')} is not a list of name=value pairs`)
    extensions[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim()
  }
  return {
    tokenEndpointUrl: url,
    clientId: clientId ?? '',
    clientSecret: clientSecret ?? '',
    ...(scope ? { scope } : {}),
    ...(Object.keys(extensions).length ? { extensions } : {}),
    ...(settings.flag('sasl.oauthbearer.header.urlencode') ? { urlEncodeHeader: true } : {}),
  }
}

// MSK IAM signs each connection with AWS credentials through a Java plug-in (mechanism AWS_MSK_IAM, or
// OAUTHBEARER with its login callback handler); there is nothing equivalent here.
function refuseMskIam(settings: SettingsReader, mechanism: string, jaas: string | undefined): void {
  const handlers = [settings.get('sasl.client.callback.handler.class'), settings.get('sasl.login.callback.handler.class'), jaas].join(' ')
  if (mechanism === 'AWS_MSK_IAM' || /software\.amazon\.msk\.auth\.iam|IAMLoginModule|IAMOAuthBearer/.test(handlers)) {
    settings.fail(
      `AWS MSK IAM authentication is not supported by runbook — connect through the cluster's SASL/SCRAM or mutual TLS listener (MSK offers both), or use Kafka's own tools with the aws-msk-iam-auth jar`,
    )
  }
}
