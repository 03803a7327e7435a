// A broker gone for good: a reassignment plan that moves its replicas to live brokers, written for
// kafka-reassign-partitions to run — nothing is applied here.

import { type Block, counted, formatCount, formatSeconds, markdown, notice, table } from '../../../lib/engine/blocks.ts'
import { ifChosen, Refusal } from '../../../lib/engine/runbook.ts'
import { planReplicaMove } from '../../../lib/plans/replica-move.ts'
import { readLeaderReplicaSizes } from '../../../lib/reads/replication.ts'
import { decideCell } from '../decide.ts'
import { bootstrapPlaceholder, nb } from '../notebook.ts'

export const exportCell = nb.query({
  id: 'export-reassignment',
  title: 'A reassignment plan for the broker that is gone',
  doc: 'Moves every replica of the flagged partitions off the gone brokers (--set gone-brokers=…, default: the down ones) to live brokers that hold none of the partition yet — another rack first, the least loaded first — and writes reassignment.json and reassignment-rollback.json (kafka-reassign-partitions format) into the session folder, with the size to copy from the leaders. Nothing is applied.',
  ...ifChosen(decideCell, ['export-reassignment'], 'another action was chosen'),
  async run(ctx) {
    const snapshot = ctx.need('snapshot')
    const findings = ctx.need('findings')
    // Named brokers were checked against the cluster before any cell ran (param.brokers).
    const gone = (await ctx.param('gone-brokers')) ?? ctx.state.facts?.downBrokers ?? []
    if (gone.length === 0) throw new Refusal('no broker is down: say which brokers are gone for good with --set gone-brokers=<ids>; nothing changed')
    const counts = new Map<number, number>()
    for (const t of snapshot.topics) for (const p of t.partitions) for (const id of p.replicas) counts.set(id, (counts.get(id) ?? 0) + 1)
    const moving = findings.partitions.filter((p) => p.replicas.some((id) => gone.includes(id)))
    const sizes = await readLeaderReplicaSizes(ctx.kafka, moving)
    const plan = planReplicaMove({ gone, brokers: snapshot.brokers, partitions: moving, replicaCounts: counts, sizes })
    const blocks: Block[] = []
    if (plan.moves.length > 0) {
      const file = await ctx.writeFile('reassignment.json', plan.reassignmentJson)
      const rollback = await ctx.writeFile('reassignment-rollback.json', plan.rollbackJson)
      blocks.push(
        table(
          ['Partition', 'Replicas now', 'After'],
          plan.moves.slice(0, 60).map((m) => [`${m.topic}/${m.partition}`, m.from.join(','), m.to.join(',')]),
          {
            title: `Move ${counted(plan.moves.length, 'partition')} off broker ${plan.gone.join(', ')}`,
            footer: `copies ${formatCount(plan.copyBytes)} bytes from the leaders${plan.unknownSizes ? ` (+ ${counted(plan.unknownSizes, 'partition')} of unknown size)` : ''}`,
          },
        ),
        markdown(
          `Written (not applied):\n\n- \`${file}\`\n- \`${rollback}\` (the assignment as it is now — it names broker ${plan.gone.join(', ')}, which kafka-reassign-partitions refuses while that broker is not registered)\n\nReview, then run Kafka's own tool; \`--throttle\` (bytes/s) keeps the copy from starving producers, and \`--verify\` removes the throttle when done:\n\n\`\`\`sh\nkafka-reassign-partitions --bootstrap-server ${bootstrapPlaceholder} --reassignment-json-file ${file} --execute --throttle 50000000\nkafka-reassign-partitions --bootstrap-server ${bootstrapPlaceholder} --reassignment-json-file ${file} --verify\n\`\`\`\n\nAt 50 MB/s the copy takes about ${formatSeconds(Math.ceil(Number(plan.copyBytes) / 50_000))}.`,
        ),
      )
    }
    if (plan.stuck.length > 0) {
      blocks.push(
        notice(
          'warn',
          `${counted(plan.stuck.length, 'partition')} cannot move: every live broker already holds one of their replicas (e.g. ${plan.stuck[0]!.topic}/${plan.stuck[0]!.partition} on ${plan.stuck[0]!.replicas.join(',')}). Add a broker first, or accept a lower replication factor.`,
        ),
      )
    }
    return { blocks, data: { gone: plan.gone, moves: plan.moves, stuck: plan.stuck, copyBytes: plan.copyBytes } }
  },
})
