// The package's public API for teams writing their own runbooks: `import { notebook, param } from 'kafka-runbooks'`.
// The test kit is its own entry point: `kafka-runbooks/testing`. test/exports.test.ts pins both.

// The authoring API: a notebook of typed parameters and cells, decisions listed once, refusals as one line.
export { ifChosen, notebook, Refusal, validateRunbook } from './engine/runbook.ts'
export type {
  ActionCell,
  AnyRunbook,
  ApplyResult,
  Cell,
  CellOutcome,
  Confirmation,
  DecideCell,
  DecisionOption,
  Drift,
  ExplainCell,
  Notebook,
  OptionPrice,
  QueryCell,
  Runbook,
  RunContext,
  ShellCell,
  UndoContext,
  UndoSpec,
  VerifyResult,
} from './engine/runbook.ts'
export { checkClusterNames, param, ParamError, parseDateTime, parseDuration, formatDuration } from './engine/params.ts'
export type { Choice, ParamSpec, ParamSpecs, ParamValue } from './engine/params.ts'
export { agree, code, counted, facts, formatCount, formatSeconds, iso, markdown, notice, table } from './engine/blocks.ts'
export type { Block } from './engine/blocks.ts'
export { confirmedRead, pollUntil } from './poll/index.ts'

// Ready-made cells: a topic config change, an offset change of a stopped group, and standard views.
export { topicConfigChange } from './cells/topic-config-change.ts'
export type { ConfigChange, ConfigChangePlan, ConfigTarget, TopicConfigChangeOptions } from './cells/topic-config-change.ts'
export { membersTable, offsetChange, offsetsChangeTable, offsetUndo, stopGroupCells } from './cells/group-offset-change.ts'
export type { OffsetChangeOptions, OffsetChangePlan, OffsetMove, OffsetTargets, OffsetUndoRecord, StopGroupOptions } from './cells/group-offset-change.ts'
export { brokersView, consumerGroupView, logDirsView, partitionHealthView, topicSettingsView } from './cells/cluster-queries.ts'

// The shared readers: topic settings, a group's state and commits, the log around partitions, partition health.
export { readTopicSettings, settingOf } from './reads/topic-settings.ts'
export type { Setting, TopicSettings } from './reads/topic-settings.ts'
export { readCommittedOffsets, readGroupState, readGroupView, readLogBounds, readRecordTimes } from './reads/consumer-group.ts'
export type { GroupState, GroupView, LogBounds } from './reads/consumer-group.ts'
export { readPartitionHealth } from './reads/partition-health.ts'
export type { FlaggedPartition, PartitionHealth } from './reads/partition-health.ts'

export type * from './kafka/types.ts'
