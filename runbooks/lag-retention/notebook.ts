// The lag-retention runbook's parameters and shared state, and the typed cell builders every part uses.

import { counted, formatCount } from '../../lib/engine/blocks.ts'
import type { ConfigChangePlan } from '../../lib/cells/topic-config-change.ts'
import { param } from '../../lib/engine/params.ts'
import { notebook, type RunContext } from '../../lib/engine/runbook.ts'
import type { KafkaOps } from '../../lib/kafka/types.ts'
import type { ResolvedOffsetReset } from '../../lib/plans/consumer-config.ts'
import type { PartitionRace } from '../../lib/plans/lag-retention.ts'
import { readGroupChoices } from '../../lib/reads/consumer-group.ts'
import type { LagRetentionReading } from '../../lib/reads/lag-retention.ts'

export interface State {
  reading?: LagRetentionReading
  races?: PartitionRace[]
  reset?: ResolvedOffsetReset
  /** The raise this run applied (what the revert puts back). */
  raised?: ConfigChangePlan
  /** The watch found that the old retention deletes nothing the group has not read. */
  revertSafe?: boolean
}

export const nb = notebook<State>()({
  group: param.group({
    help: 'the consumer group that is falling behind',
    prompt: 'Which consumer group is falling behind?',
    suggest: async (kafka: KafkaOps) =>
      (await readGroupChoices(kafka)).map((g) => ({
        value: g.groupId,
        name: g.groupId,
        description: `${g.state} · ${g.members === null ? '? members' : counted(g.members, 'member')} · lag ${g.lag === null ? 'unknown' : formatCount(g.lag)} on ${counted(g.partitions, 'partition')}`,
      })),
  }),
  sample: param.duration({
    help: 'how long to watch the log start, the log end and the commits to measure the rates (two samples this far apart)',
    default: 5000,
    minMs: 0,
  }),
  margin: param.duration({
    help: 'how long a raised retention keeps unread records beyond the moment the group is expected to have read them (also: how long a stopped group gets)',
    default: 3_600_000,
    minMs: 0,
  }),
  'retention-ms': param.duration({
    help: "raise the topic's retention.ms to this instead of the computed value (must be above the current one; a bare number is milliseconds)",
    optional: true,
    minMs: 1,
    bareNumberMs: true,
  }),
  'retention-bytes': param.count({
    help: "raise the topic's retention.bytes (per partition) to this instead of the computed value (must be above the current one)",
    optional: true,
  }),
  'auto-offset-reset': param.string({
    help: "the consumers' auto.offset.reset (earliest, latest, none, by_duration:PT1H; librdkafka smallest/largest/error; kafkajs fromBeginning: true|false) when no config file is given",
    optional: true,
  }),
  'consumer-config': param.string({
    help: "the consumers' configuration file (.properties, librdkafka key=value, or a kafkajs options JSON) to read auto.offset.reset from",
    optional: true,
  }),
  'stop-command': param.string({
    help: 'a command that stops every consumer of the group (for the move to the log start)',
    prompt: 'Command that stops every consumer of the group',
    optional: true,
  }),
  'revert-watch': param.duration({
    help: 'after a raise, how long the run watches the group until the old retention would delete nothing it has not read, then offers to put it back (0: leave it to runbook undo)',
    default: 600_000,
    minMs: 0,
  }),
  'wait-for-empty': param.duration({ help: 'how long to wait for the group to become Empty after its consumers stop', default: 60_000, minMs: 0 }),
})

export type Ctx = RunContext<State, typeof nb.params>
