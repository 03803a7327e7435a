import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadConfig, parseConfig } from '../../lib/cli/config-file.ts'
import { resolveConnection } from '../../lib/cli/connection.ts'

const args = (values: Record<string, string>) => ({ values, positionals: [], raw: [] })
const noConfig = { path: null, profiles: {}, runbooks: [] }
const env = { RUNBOOK_SANDBOX_NAME: 'connection-test-none' }

describe('which cluster', () => {
  it('prefers --bootstrap-server, then a profile, then KAFKA_BOOTSTRAP_SERVERS', async () => {
    const config = parseConfig(JSON.stringify({ profiles: { prod: { bootstrapServer: 'prod-1:9092,prod-2:9092' } } }), '/x/runbook.config.json')
    expect(
      (await resolveConnection(args({ 'bootstrap-server': 'flag:1' }), { ...env, KAFKA_BOOTSTRAP_SERVERS: 'env:1' }, '/', config)).options.bootstrapServers,
    ).toEqual(['flag:1'])
    expect((await resolveConnection(args({ profile: 'prod' }), { ...env, KAFKA_BOOTSTRAP_SERVERS: 'env:1' }, '/', config)).options.bootstrapServers).toEqual([
      'prod-1:9092',
      'prod-2:9092',
    ])
    expect((await resolveConnection(args({}), { ...env, KAFKA_BOOTSTRAP_SERVERS: 'env:1' }, '/', config)).origin).toBe('KAFKA_BOOTSTRAP_SERVERS')
  })

  it('names the profiles it knows when one is missing', async () => {
    const config = parseConfig(JSON.stringify({ profiles: { prod: { bootstrapServer: 'p:9092' } } }), '/x/runbook.config.json')
    await expect(resolveConnection(args({ profile: 'stage' }), env, '/', config)).rejects.toThrow('no profile "stage" in /x/runbook.config.json — known: prod')
  })

  it('reads --command-config relative to the working directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conn-'))
    writeFileSync(join(dir, 'client.properties'), 'security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-256\nsasl.username=u\nsasl.password=pw\n')
    const resolved = await resolveConnection(args({ 'bootstrap-server': 'k:9092', 'command-config': 'client.properties' }), env, dir, noConfig)
    expect(resolved.options.sasl).toEqual({ mechanism: 'SCRAM-SHA-256', username: 'u', password: 'pw' })
    await expect(resolveConnection(args({ 'bootstrap-server': 'k:9092', 'command-config': 'missing.properties' }), env, dir, noConfig)).rejects.toThrow(
      'cannot read missing.properties (ENOENT)',
    )
  })
})

describe('config file', () => {
  it('is found in the working directory and checked', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'))
    writeFileSync(
      join(dir, 'runbook.config.json'),
      JSON.stringify({ profiles: { a: { bootstrapServer: 'a:1', commandConfig: 'a.properties' } }, runbooks: ['team'], sessionsDir: 's' }),
    )
    const config = loadConfig(dir, { HOME: dir })
    expect(config).toMatchObject({
      path: join(dir, 'runbook.config.json'),
      profiles: { a: { bootstrapServer: 'a:1', commandConfig: join(dir, 'a.properties') } },
      runbooks: [join(dir, 'team')],
      sessionsDir: 's',
    })
  })

  it.each([
    ['{', 'is not valid JSON'],
    ['[]', 'must hold a JSON object'],
    ['{"profiles":{"a":{}}}', 'profile "a" needs a "bootstrapServer"'],
    ['{"defaultProfile":"x"}', '"defaultProfile" must name one of the profiles'],
  ])('rejects %s', (text, message) => expect(() => parseConfig(text, '/c.json')).toThrow(message))
})
