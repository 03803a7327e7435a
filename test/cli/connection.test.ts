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
    expect((await resolveConnection(args({}), { ...env, KAFKA_BOOTSTRAP_SERVERS: 'env:1' }, '/', config)).choice.origin).toBe('KAFKA_BOOTSTRAP_SERVERS')
  })

  it('names the profiles it knows when one is missing', async () => {
    const config = parseConfig(JSON.stringify({ profiles: { prod: { bootstrapServer: 'p:9092' } } }), '/x/runbook.config.json')
    await expect(resolveConnection(args({ profile: 'stage' }), env, '/', config)).rejects.toThrow(
      'no profile "stage" (--profile) in /x/runbook.config.json — known: prod',
    )
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

describe('which cluster: every way of naming one, and none of them a silent fallback', () => {
  const config = parseConfig(
    JSON.stringify({ profiles: { prod: { bootstrapServer: 'prod-1:9092,prod-2:9092' }, broken: { bootstrapServer: 'prod-1:abc' } }, defaultProfile: 'prod' }),
    '/x/runbook.config.json',
  )
  const raw = (values: Record<string, string>) => ({ values, positionals: [], raw: Object.entries(values).flatMap(([k, v]) => [`--${k}`, v]) })
  const resolved = (values: Record<string, string>, vars: Record<string, string> = {}, cfg = config) =>
    resolveConnection(raw(values), { ...env, ...vars }, '/', cfg)

  it.each([
    [
      '--bootstrap-server wins over the environment and the default profile',
      { 'bootstrap-server': 'flag:1' },
      { KAFKA_BOOTSTRAP_SERVERS: 'env:1' },
      ['flag:1'],
      '--bootstrap-server',
      'flag:1',
    ],
    [
      '--profile wins over the environment',
      { profile: 'prod' },
      { KAFKA_BOOTSTRAP_SERVERS: 'env:1' },
      ['prod-1:9092', 'prod-2:9092'],
      'profile prod (--profile)',
      'prod',
    ],
    [
      'KAFKA_BOOTSTRAP_SERVERS wins over the default profile',
      {},
      { KAFKA_BOOTSTRAP_SERVERS: 'env:1,env:2' },
      ['env:1', 'env:2'],
      'KAFKA_BOOTSTRAP_SERVERS',
      'env:1 +1',
    ],
    [
      'RUNBOOK_PROFILE wins over the default profile',
      {},
      { RUNBOOK_PROFILE: 'prod' },
      ['prod-1:9092', 'prod-2:9092'],
      'profile prod (RUNBOOK_PROFILE)',
      'prod',
    ],
    [
      'the default profile, when nothing else names a cluster',
      {},
      {},
      ['prod-1:9092', 'prod-2:9092'],
      'profile prod ("defaultProfile" of /x/runbook.config.json)',
      'prod',
    ],
  ])('%s', async (_name, values, vars, servers, origin, name) => {
    const connection = await resolved(values, vars)
    expect(connection.options.bootstrapServers).toEqual(servers)
    expect(connection.choice).toMatchObject({ origin, name, bootstrapServers: servers })
  })

  it.each([
    ['--bootstrap-server ""', { 'bootstrap-server': '' }, {}, '--bootstrap-server is empty — give host:port[,host:port…]'],
    ['--bootstrap-server " "', { 'bootstrap-server': ' ' }, {}, '--bootstrap-server is empty'],
    [
      '--bootstrap-server 127.0.0.1:abc',
      { 'bootstrap-server': '127.0.0.1:abc' },
      {},
      '--bootstrap-server: bootstrap server "127.0.0.1:abc" has no valid port ("abc")',
    ],
    ['--bootstrap-server ,', { 'bootstrap-server': ',' }, {}, '--bootstrap-server: the bootstrap server list is empty'],
    ['--profile ""', { profile: '' }, {}, '--profile is empty — give the name of a profile in runbook.config.json'],
    ['--command-config ""', { 'bootstrap-server': 'k:1', 'command-config': '' }, {}, '--command-config is empty'],
    ['an unknown profile', { profile: 'stage' }, {}, 'no profile "stage" (--profile) in /x/runbook.config.json — known: prod, broken'],
    [
      'a profile with a malformed server',
      { profile: 'broken' },
      {},
      'profile "broken" in /x/runbook.config.json: bootstrap server "prod-1:abc" has no valid port',
    ],
    ['both flags', { 'bootstrap-server': 'k:1', profile: 'prod' }, {}, '--bootstrap-server and --profile both name a cluster — give one of them'],
    ['an empty KAFKA_BOOTSTRAP_SERVERS', {}, { KAFKA_BOOTSTRAP_SERVERS: '' }, 'KAFKA_BOOTSTRAP_SERVERS is set but empty — set it to a cluster, or unset it'],
    ['an empty RUNBOOK_PROFILE', {}, { RUNBOOK_PROFILE: '  ' }, 'RUNBOOK_PROFILE is set but empty'],
    [
      'a malformed KAFKA_BOOTSTRAP_SERVERS',
      {},
      { KAFKA_BOOTSTRAP_SERVERS: 'kafka:9092:9093' },
      'KAFKA_BOOTSTRAP_SERVERS: bootstrap server "kafka:9092:9093" is not host:port',
    ],
    ['both variables', {}, { KAFKA_BOOTSTRAP_SERVERS: 'k:1', RUNBOOK_PROFILE: 'prod' }, 'KAFKA_BOOTSTRAP_SERVERS and RUNBOOK_PROFILE are both set'],
    ['an unknown RUNBOOK_PROFILE', {}, { RUNBOOK_PROFILE: 'stage' }, 'no profile "stage" (RUNBOOK_PROFILE)'],
  ])('refuses %s, never falling back to another cluster', async (_name, values, vars, message) => {
    await expect(resolved(values, vars)).rejects.toThrow(message)
  })

  it('refuses a connection option given twice with different values, and accepts a repeat of the same', async () => {
    const twice = (a: string, b: string) => ({ values: { 'bootstrap-server': b }, positionals: [], raw: ['--bootstrap-server', a, `--bootstrap-server=${b}`] })
    await expect(resolveConnection(twice('prod:9092', 'stage:9092'), env, '/', noConfig)).rejects.toThrow(
      '--bootstrap-server is given 2 times with different values — give it once',
    )
    expect((await resolveConnection(twice('k:1', 'k:1'), env, '/', noConfig)).options.bootstrapServers).toEqual(['k:1'])
  })

  it('takes a --command-config file’s bootstrap.servers as a flag (before the environment); empty or malformed there is bad input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conn-file-'))
    const file = (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name))
    const named = await resolved(
      { 'command-config': file('named.properties', 'bootstrap.servers=file-1:9092,file-2:9092\n') },
      { KAFKA_BOOTSTRAP_SERVERS: 'env:1' },
    )
    expect(named.choice).toMatchObject({ bootstrapServers: ['file-1:9092', 'file-2:9092'], origin: `bootstrap.servers in ${join(dir, 'named.properties')}` })
    await expect(resolved({ 'command-config': file('empty.properties', 'bootstrap.servers=\n') })).rejects.toThrow(
      `bootstrap.servers in ${join(dir, 'empty.properties')} is empty`,
    )
    await expect(resolved({ 'command-config': file('bad.properties', 'bootstrap.servers=k:abc\n') })).rejects.toThrow('has no valid port ("abc")')
    // Without bootstrap.servers the file only says how to connect: the cluster comes from the next choice.
    expect((await resolved({ 'command-config': file('plain.properties', 'client.id=x\n') }, { KAFKA_BOOTSTRAP_SERVERS: 'env:1' })).choice.origin).toBe(
      'KAFKA_BOOTSTRAP_SERVERS',
    )
  })

  it('falls back to the local sandbox only when nothing names a cluster, and then says so', async () => {
    await expect(resolved({}, {}, noConfig)).rejects.toThrow('no cluster given — pass --bootstrap-server host:port (or set KAFKA_BOOTSTRAP_SERVERS)')
    await expect(resolved({}, { KAFKA_BOOTSTRAP_SERVERS: '' }, noConfig)).rejects.toThrow('KAFKA_BOOTSTRAP_SERVERS is set but empty')
  })

  it('refuses an empty --config instead of reading the default file', () => {
    expect(() => loadConfig('/', {}, '')).toThrow('--config is empty — give the path of a runbook.config.json, or leave it out')
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
    ['{"defaultProfile":""}', '"defaultProfile" must name one of the profiles'],
    ['{"profiles":{"a":{"bootstrapServer":"  "}}}', 'profile "a" needs a "bootstrapServer"'],
    ['{"profiles":{"a":{"bootstrapServer":"k:1","commandConfig":""}}}', '"commandConfig" must be a path'],
    ['{"sessionsDir":""}', '"sessionsDir" must be a path'],
  ])('rejects %s', (text, message) => expect(() => parseConfig(text, '/c.json')).toThrow(message))
})
