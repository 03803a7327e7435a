// Cluster identity on real Kafka, through the CLI: two clusters with two ids — the shared plaintext sandbox and
// the secured one (through its PLAINTEXT listener), both holding the same topic and group — so a change lands
// only on the cluster the operator named. kafka-cluster cluster-id and kafka-consumer-groups are the oracles.

import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../../../lib/kafka/index.ts'
import type { KafkaOps } from '../../../lib/kafka/types.ts'
import { runKafkaTool, type SandboxConfig } from '../../../lib/sandbox/index.ts'
import { uniqueTopic } from '../../support/kafka.ts'
import { runCli } from '../../support/run-cli.ts'
import { testSandbox } from '../../support/sandbox.ts'
import { connectPlain, secureSandbox } from '../../support/secure-sandbox.ts'
import { committedOffsets, hashOf, oneLine, seedGroup, sessionOf } from '../../support/trust.ts'

/** The second cluster: the secured sandbox, reached on its PLAINTEXT listener. */
const side = () => secureSandbox().config
let sideBootstrap = ''
/** The two cluster ids, as kafka-cluster cluster-id reports them. */
const ids = { main: '', side: '' }
const clusters: { main?: KafkaOps; side?: KafkaOps } = {}
const topic = uniqueTopic('identity')
const sessions = mkdtempSync(join(tmpdir(), 'identity-e2e-'))
const main = () => testSandbox().bootstrap
const committed = (ops: KafkaOps, group: string) => committedOffsets(ops, group, topic)
const seed = (ops: KafkaOps, group: string) => seedGroup(ops, group, topic)

/** The cluster id as Kafka's own tool reports it. */
async function clusterIdOf(bootstrap: string, config: SandboxConfig): Promise<string> {
  const result = await runKafkaTool(config, 'kafka-cluster', ['cluster-id', '--bootstrap-server', bootstrap], { timeoutMs: 60_000 })
  return /Cluster ID: (\S+)/.exec(result.stdout)![1]!
}

/** The group's committed offsets as kafka-consumer-groups describes them, "partition=offset". */
async function describedOffsets(bootstrap: string, config: SandboxConfig, group: string): Promise<string[]> {
  const result = await runKafkaTool(config, 'kafka-consumer-groups', ['--bootstrap-server', bootstrap, '--describe', '--group', group], { timeoutMs: 60_000 })
  return result.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[0] === group && f[1] === topic)
    .sort((a, b) => Number(a[2]) - Number(b[2]))
    .map((f) => `${f[2]}=${f[3]}`)
}

const cli = (args: readonly string[], env: NodeJS.ProcessEnv = {}) => runCli([...args, '--sessions-dir', sessions], { env })
const rewind = (group: string, bootstrap: string, extra: readonly string[]) =>
  cli(['run', 'consumer-oom-replay', '--bootstrap-server', bootstrap, '--set', `group=${group}`, '--set', 'shift-by=-5', ...extra])

beforeAll(async () => {
  sideBootstrap = secureSandbox().status.bootstrap
  clusters.main = await connect({ bootstrapServers: main().split(','), clientId: 'identity-e2e' })
  clusters.side = await connectPlain('identity-e2e')
  await clusters.main.createTopics([{ topic, partitions: 2, replicationFactor: 3 }])
  await clusters.side.createTopics([{ topic, partitions: 2, replicationFactor: 1 }])
  ;[ids.main, ids.side] = await Promise.all([clusterIdOf(main(), testSandbox().config), clusterIdOf(sideBootstrap, side())])
})

afterAll(async () => {
  await clusters.main?.deleteTopics([topic]).catch(() => {})
  await clusters.side?.deleteTopics([topic]).catch(() => {})
  await clusters.main?.close()
  await clusters.side?.close()
})

describe('a change lands only on the cluster the operator named', () => {
  it('two sandboxes, two ids; the header names the cluster acted on in one line, with the id Kafka reports', async () => {
    const { main: mainId, side: sideId } = ids
    expect(mainId).not.toBe(sideId)
    const group = uniqueTopic('trust-header')
    await seed(clusters.main!, group)
    const dry = await rewind(group, main(), ['--dry-run'])
    expect(dry.code, dry.stderr).toBe(0)
    const [first] = main().split(',')
    const line = `cluster ${first} +${main().split(',').length - 1} · id ${mainId} · Kafka ${testSandbox().kafkaVersion.split('.').slice(0, 2).join('.')} · ${testSandbox().kafkaVersion.startsWith('3.') ? 'no ELR' : testSandbox().elr ? 'ELR on' : 'ELR off'}`
    expect(dry.stdout.split('\n').slice(0, 4)).toContain(line)
  })

  it('undo refuses another cluster with the same group and offsets, naming both ids; the right cluster then restores', async () => {
    const group = uniqueTopic('trust-undo')
    await seed(clusters.main!, group)
    await seed(clusters.side!, group)
    const applied = await rewind(group, main(), ['--yes'])
    expect(applied.code, applied.stderr).toBe(0)
    const session = sessionOf(applied)
    await clusters.side!.alterCommittedOffsets(group, [
      { topic, partition: 0, offset: 10n },
      { topic, partition: 1, offset: 10n },
    ]) // the side cluster now looks exactly as the session left the main one
    const { main: mainId, side: sideId } = ids

    const wrong = await cli(['undo', session, '--bootstrap-server', sideBootstrap, '--yes'])
    expect(wrong.code).toBe(2)
    expect(oneLine(wrong, 'undo')).toMatch(
      new RegExp(
        `\\(id ${mainId}\\), but this is cluster .* \\(id ${sideId}\\) — connect to the cluster the session changed \\(--bootstrap-server ${main()}\\); nothing restored$`,
      ),
    )
    expect(await committed(clusters.side!, group)).toEqual(['0=10', '1=10'])

    const right = await cli(['undo', session, '--bootstrap-server', main(), '--yes'])
    expect(right.code, right.stderr).toBe(0)
    expect(await describedOffsets(main(), testSandbox().config, group)).toEqual(['0=15', '1=15'])
  })

  it('a plan approved on one cluster is refused on the other before anything runs, naming both ids', async () => {
    const group = uniqueTopic('trust-approve')
    await seed(clusters.main!, group)
    await seed(clusters.side!, group)
    const hash = hashOf(await rewind(group, main(), ['--dry-run']))
    const result = await rewind(group, sideBootstrap, ['--approve', `rewind=${hash}`])
    expect(result.code).toBe(2)
    expect(oneLine(result, 'run')).toMatch(
      /that plan was reviewed on cluster .* \(id \S+, session \S+\), but this is cluster .* \(id \S+\) — review and approve a plan made on this cluster; nothing changed$/,
    )
    expect(await committed(clusters.side!, group)).toEqual(['0=15', '1=15'])
  })

  it('an empty or malformed connection option is bad input, never a fallback to the local sandbox — which is used only when nothing is given, and then said', async () => {
    const group = uniqueTopic('trust-empty')
    await seed(clusters.side!, group)
    const sandboxEnv = { RUNBOOK_SANDBOX_NAME: side().name }
    for (const [args, env, message] of [
      [['--bootstrap-server', ''], {}, '--bootstrap-server is empty'],
      [['--bootstrap-server', '127.0.0.1:abc'], {}, 'has no valid port ("abc")'],
      [['--profile', ''], {}, '--profile is empty'],
      [[], { KAFKA_BOOTSTRAP_SERVERS: '' }, 'KAFKA_BOOTSTRAP_SERVERS is set but empty'],
      [[], { RUNBOOK_PROFILE: '' }, 'RUNBOOK_PROFILE is set but empty'],
    ] as const) {
      const result = await cli(['run', 'consumer-oom-replay', ...args, '--set', `group=${group}`, '--set', 'shift-by=-5', '--yes'], { ...sandboxEnv, ...env })
      expect(result.code, `${args.join(' ')} ${JSON.stringify(env)}`).toBe(2)
      expect(oneLine(result, 'run')).toContain(message)
    }
    expect(await committed(clusters.side!, group)).toEqual(['0=15', '1=15'])
    const fallback = await cli(['run', 'consumer-oom-replay', '--set', `group=${group}`, '--set', 'shift-by=-5', '--dry-run'], sandboxEnv)
    expect(fallback.code, fallback.stderr).toBe(0)
    expect(fallback.stdout).toContain(`cluster sandbox ${side().name} · id ${ids.side}`)
    expect(fallback.stdout).toContain('no cluster was given, so the local sandbox')
  })
})
