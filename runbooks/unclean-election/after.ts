// After leaders are back: the ISR and high watermark until the partitions are at min.insync.replicas again,
// the consumer groups whose committed offsets now point past the new history, any unclean flag still on, and
// what producers see.

import { code, facts, formatCount, notice, table, type Block } from '../../lib/engine/blocks.ts'
import type { KafkaOps, TopicPartition } from '../../lib/kafka/types.ts'
import { partitionName } from '../../lib/plans/leaderless.ts'
import { confirmedRead } from '../../lib/poll/index.ts'
import { readGroupCommitsOn } from '../../lib/reads/consumer-group.ts'
import { partitionKey, readPartitionProgress } from '../../lib/reads/leaderless.ts'
import { readTopicSettings, settingOf } from '../../lib/reads/topic-settings.ts'
import { nb, type Context, type Recovered } from './notebook.ts'
import { exactLossText, fewNames, producersText, provenLoss } from './text.ts'

const pollMs = 1000
const flagName = 'unclean.leader.election.enable'

interface PartitionNow {
  readonly recovered: Recovered
  readonly leader: number | null
  readonly isr: readonly number[]
  readonly minIsr: number | null
  readonly highWatermark: bigint | null
  readonly leaderLogEnd: bigint | null
}

async function readNow(ctx: Context, recovered: readonly Recovered[]): Promise<PartitionNow[]> {
  const progress = await readPartitionProgress(ctx.kafka, recovered)
  const minIsr = new Map((ctx.state.snapshot?.partitions ?? []).map((p) => [partitionKey(p), p.minIsr]))
  return recovered.map((r, i) => ({
    recovered: r,
    leader: progress[i]!.leader,
    isr: progress[i]!.isr,
    minIsr: minIsr.get(partitionKey(r)) ?? null,
    highWatermark: progress[i]!.highWatermark,
    leaderLogEnd: progress[i]!.leaderLogEnd,
  }))
}

const healthy = (p: PartitionNow) => p.leader !== null && p.isr.length >= (p.minIsr ?? 1)

interface GroupPast {
  readonly groupId: string
  readonly partition: TopicPartition
  readonly committed: bigint
  readonly epochStart: bigint
  readonly logEnd: bigint | null
}

/** Groups whose committed offset lies beyond where an unclean election restarted a partition's history. */
async function readGroupsPast(kafka: KafkaOps, partitions: readonly PartitionNow[]): Promise<GroupPast[]> {
  const restarted = partitions.filter((p) => p.recovered.epochStart !== null)
  if (restarted.length === 0) return []
  const topics = [...new Set(restarted.map((p) => p.recovered.topic))]
  const found: GroupPast[] = []
  for (const group of await readGroupCommitsOn(kafka, topics)) {
    for (const c of group.offsets) {
      const p = restarted.find((r) => r.recovered.topic === c.topic && r.recovered.partition === c.partition)
      if (p && c.offset > p.recovered.epochStart!)
        found.push({
          groupId: group.groupId,
          partition: { topic: c.topic, partition: c.partition },
          committed: c.offset,
          epochStart: p.recovered.epochStart!,
          logEnd: p.leaderLogEnd,
        })
    }
  }
  return found.sort((a, b) => a.groupId.localeCompare(b.groupId) || partitionName(a.partition).localeCompare(partitionName(b.partition)))
}

function partitionRows(now: readonly PartitionNow[]) {
  return now.map((p) => [
    partitionName(p.recovered),
    p.leader ?? 'none',
    p.recovered.how,
    p.isr.join(','),
    p.minIsr,
    p.highWatermark,
    p.leaderLogEnd,
    healthy(p) ? 'at or above min ISR' : `high watermark held until the ISR has ${p.minIsr ?? '?'} members`,
  ])
}

/**
 * What the dead leader's truncation removes (read from its log before it returned): done once it is back in the
 * ISR (a replica in the ISR has cut its log to the leader's history), still ahead while it is down.
 */
function truncationTable(partitions: readonly PartitionNow[], nowMs: number): Block {
  return table(
    ['Partition', 'Dead leader', 'Cut at offset', 'Records removed', 'State'],
    partitions.map((p) => {
      const loss = p.recovered.exactLoss!
      const back = p.isr.includes(loss.deadBroker)
      return [
        partitionName(p.recovered),
        loss.deadBroker,
        loss.truncateFrom,
        loss.fromDeadLog === 0 ? 'none' : exactLossText({ ...loss, records: loss.fromDeadLog, fromLiveReplica: 0 }, nowMs),
        back
          ? `broker ${loss.deadBroker} is back in the ISR: its log was cut, these records are gone from the cluster`
          : `broker ${loss.deadBroker} is still out: it cuts them when it returns (its folder holds them until then)`,
      ]
    }),
    { title: 'What the returning dead leader truncates' },
  )
}

export const aftermathCell = nb.query({
  id: 'aftermath',
  title: 'Aftermath',
  when: (ctx) => (ctx.dryRun ? 'dry run: nothing was elected' : (ctx.state.recovered?.length ?? 0) > 0 ? true : 'no partition got a leader in this run'),
  whenDoc: 'partitions got leaders in this run',
  doc: 'Watches ISR and high watermark of the recovered partitions until they are back at min.insync.replicas, confirmed by a read a second later (up to --set aftermath-wait), lists consumer groups whose committed offsets now lie past the start of the new history, checks that no unclean flag is left on, and says what producers see.',
  async run(ctx) {
    const recovered = ctx.need('recovered')
    const waitMs = await ctx.param('aftermath-wait')
    // "Back at min ISR" counts only when a read a second later finds it too: a broker just back from a pause still
    // lists the ISR it knew before the failure.
    const read = confirmedRead(
      () => readNow(ctx, recovered),
      (now) => now.every(healthy),
      ctx,
    )
    let now = await read()
    for (let poll = 0; !now.every(healthy) && poll < Math.ceil(waitMs / pollMs); poll++) {
      await ctx.sleep(pollMs)
      now = await read()
    }
    const blocks: Block[] = [
      table(['Partition', 'Leader', 'How', 'ISR', 'min ISR', 'High watermark', 'Leader’s log end', 'State'], partitionRows(now), {
        title: 'Recovered partitions now',
      }),
    ]
    const held = now.filter((p) => !healthy(p))
    if (held.length > 0) {
      blocks.push(
        notice(
          'warn',
          `${fewNames(held.map((p) => partitionName(p.recovered)))}: below min.insync.replicas. Consumers see nothing written since the election until another replica rejoins — restart the dead brokers. When they return they delete every record above the new history's start: that is when the loss becomes final (copy their partition folders first if you want the records).`,
        ),
      )
    }
    const unclean = now.filter((p) => p.recovered.epochStart !== null)
    const hidden = unclean.filter((p) => p.highWatermark !== null && p.highWatermark < p.recovered.epochStart!)
    if (hidden.length > 0) {
      blocks.push(
        notice(
          'info',
          `${fewNames(hidden.map((p) => `${partitionName(p.recovered)} (offsets ${formatCount(p.highWatermark!)}–${formatCount(p.recovered.epochStart! - 1n)})`))}: the new leader holds these records but consumers cannot read them yet — its high watermark restarted from its own checkpoint when it was last started, and under min.insync.replicas it does not move. They become readable once the ISR is back at min ISR; they are not lost.`,
        ),
      )
    }
    if (unclean.length > 0) {
      blocks.push(
        facts(
          unclean.map(
            (p) =>
              [
                partitionName(p.recovered),
                `new history from offset ${formatCount(p.recovered.epochStart!)}${
                  p.recovered.exactLoss
                    ? `; lost: ${exactLossText(p.recovered.exactLoss, ctx.now())}`
                    : p.recovered.certainLoss !== null
                      ? `; lost: ${provenLoss('records', p.recovered.certainLoss)}, plus what only the dead leader held`
                      : ''
                }`,
              ] as const,
          ),
          'Where each elected partition starts over',
        ),
      )
    }
    const truncations = now.filter((p) => p.recovered.exactLoss)
    if (truncations.length > 0) blocks.push(truncationTable(truncations, ctx.now()))
    const groups = await readGroupsPast(ctx.kafka, now)
    if (groups.length > 0) {
      blocks.push(
        table(
          ['Group', 'Partition', 'Committed', 'New history starts at', 'Leader’s log end', 'What it will do'],
          groups.map((g) => [
            g.groupId,
            partitionName(g.partition),
            g.committed,
            g.epochStart,
            g.logEnd,
            g.logEnd !== null && g.committed > g.logEnd
              ? 'its offset is past the log end: reset by its auto.offset.reset, or a Java client detects the truncation and rewinds'
              : `skips the ${formatCount(g.committed - g.epochStart)} records written since the election at offsets below its position, unless its client detects the truncation`,
          ]),
          { title: 'Consumer groups past the start of the new history' },
        ),
      )
      const commands: string[] = []
      for (const groupId of [...new Set(groups.map((g) => g.groupId))]) {
        const rows = groups.filter((g) => g.groupId === groupId).map((g) => `${g.partition.topic},${g.partition.partition},${g.epochStart}`)
        const path = await ctx.writeFile(`rewind-${groupId.replace(/[^A-Za-z0-9._-]/g, '_')}.csv`, `${rows.join('\n')}\n`)
        commands.push(`runbook run consumer-oom-replay --set group=${groupId} --set from-file=${path}`)
      }
      blocks.push(
        notice(
          'info',
          'Rewind these groups to the start of the new history once their consumers are stopped, so they read what was written since the election: the consumer-oom-replay runbook does that with a preview and undo, from the offsets files written beside this notebook. Java consumers that store leader epochs with their commits detect the truncation and rewind by themselves (an INFO "Truncation detected" line); other clients may not.',
        ),
        code(commands.join('\n'), 'sh'),
      )
    } else if (unclean.length > 0) {
      blocks.push(notice('ok', 'No consumer group has a committed offset past the start of the new history.'))
    }
    const topics = [...new Set(recovered.map((r) => r.topic))]
    const flagged = (await readTopicSettings(ctx.kafka, topics, [flagName])).filter((t) => settingOf(t, flagName).value === 'true').map((t) => t.topic)
    blocks.push(
      flagged.length
        ? notice(
            'danger',
            `${flagName} is true for ${fewNames(flagged)}: the next outage there will elect an out-of-sync replica without asking. Turn it off (kafka-configs --alter --entity-type topics --entity-name <topic> --delete-config ${flagName}), or \`runbook undo\` this session if it set it.`,
          )
        : notice('ok', `${flagName} is off for ${fewNames(topics)}${ctx.state.flag ? ' (this run turned it back)' : ''}.`),
    )
    blocks.push(notice('info', unclean.length > 0 ? producersText.elected : producersText.clean))
    if (recovered.some((r) => r.how === 'unclean election')) {
      blocks.push(
        notice(
          'info',
          'The replica lists were reordered so that the elected broker comes first: it is now the preferred leader. `runbook undo` with this session puts the old order back once the cluster is whole again.',
        ),
      )
    }
    const truncated = truncations.map((p) => ({
      topic: p.recovered.topic,
      partition: p.recovered.partition,
      deadBroker: p.recovered.exactLoss!.deadBroker,
      truncateFrom: p.recovered.exactLoss!.truncateFrom,
      records: p.recovered.exactLoss!.fromDeadLog,
      done: p.isr.includes(p.recovered.exactLoss!.deadBroker),
    }))
    return { blocks, data: { partitions: now, groupsPast: groups, flagStillOn: flagged, truncated } }
  },
})
