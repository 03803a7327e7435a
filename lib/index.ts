// The package's public API for teams writing their own runbooks: `import { notebook, param } from 'kafka-runbooks'`.
// The test kit is its own entry point: `kafka-runbooks/testing`.

export { notebook, Refusal, validateRunbook } from './engine/runbook.ts'
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
  QueryCell,
  Runbook,
  RunContext,
  ShellCell,
  UndoContext,
  UndoSpec,
  VerifyResult,
} from './engine/runbook.ts'
export { param, ParamError, parseDateTime, parseDuration, formatDuration } from './engine/params.ts'
export type { Choice, ParamSpec, ParamSpecs, ParamValue } from './engine/params.ts'
export { code, counted, facts, formatCount, markdown, notice, table } from './engine/blocks.ts'
export type { Block } from './engine/blocks.ts'
export type * from './kafka/types.ts'
