// Which audit topic a recording command anchors its decisive events in: the profile's "audit", else the config
// file's, else --audit-topic. A team that set one has decided: --audit-topic may not send the trail elsewhere, and
// --no-audit skips it only where the config says "allowNoAudit": true.

import { AuditTrailError, openAuditTrail } from '../engine/audit-trail.ts'
import type { ClusterChoice } from '../engine/cluster-identity.ts'
import type { SessionOptions } from '../engine/run-state.ts'
import type { KafkaOps } from '../kafka/types.ts'
import type { OptionSpec, ParsedArgs } from './command.ts'
import { isTopicName, type RunbookConfig } from './config-file.ts'
import { UsageError } from './usage-error.ts'

export const auditOptions: OptionSpec = {
  'audit-topic': { type: 'string' },
  'no-audit': { type: 'boolean' },
}

export const auditHelp = `Audit trail (outside this disk):
  --audit-topic <topic>      also write every approval, change and undo to this Kafka topic (acks=all, idempotent):
                             session id, event number, chain hash — \`runbook verify\` compares them with the transcript
                             ("audit": {"topic": …} in runbook.config.json, per profile too, sets it for a team)
  --no-audit                 skip the configured trail, only where the config says "allowNoAudit": true
  If the audit topic cannot be written, no change is applied.`

export type AuditChoice = { readonly topic: string; readonly allowSkip: boolean; readonly from: string } | { readonly skipped: string } | null

/** The audit trail the flags and the config ask for, for the cluster chosen; bad combinations are refused. */
export function resolveAudit(args: ParsedArgs, config: RunbookConfig, cluster: Pick<ClusterChoice, 'profile'>): AuditChoice {
  const flag = args.values['audit-topic'] as string | undefined
  const skip = args.values['no-audit'] === true
  const profile = cluster.profile !== undefined ? config.profiles[cluster.profile] : undefined
  const configured = profile?.audit ?? config.audit
  const where = profile?.audit ? `profile "${cluster.profile}" of ${config.path}` : (config.path ?? 'the config file')
  if (flag !== undefined && flag.trim() === '') throw new UsageError('--audit-topic is empty — give a topic name, or leave the option out')
  if (flag !== undefined && !isTopicName(flag.trim()))
    throw new UsageError(`--audit-topic ${JSON.stringify(flag)} is not a Kafka topic name (letters, digits, . _ -)`)
  if (flag !== undefined && skip) throw new UsageError('--audit-topic and --no-audit contradict each other — give one')
  if (skip) {
    if (!configured) return null
    if (!configured.allowNoAudit)
      throw new UsageError(
        `--no-audit: ${where} requires the audit trail on topic ${configured.topic} — nothing is skipped unless its "audit" says "allowNoAudit": true`,
      )
    return { skipped: `--no-audit (${where} allows it)` }
  }
  if (flag !== undefined && configured && flag.trim() !== configured.topic)
    throw new UsageError(`--audit-topic ${flag.trim()}: ${where} sends this cluster's audit trail to ${configured.topic} — leave --audit-topic out`)
  if (configured) return { topic: configured.topic, allowSkip: configured.allowNoAudit, from: where }
  if (flag !== undefined) return { topic: flag.trim(), allowSkip: false, from: '--audit-topic' }
  return null
}

/** Opens the trail for a run that may change something (a dry run anchors nothing, so it is not opened). */
export async function openAudit(kafka: KafkaOps, choice: AuditChoice, dryRun: boolean): Promise<SessionOptions['audit']> {
  if (choice === null) return undefined
  if ('skipped' in choice) return { trail: null, skipped: choice.skipped }
  if (dryRun) return undefined
  try {
    return { trail: await openAuditTrail(kafka, choice.topic), allowSkip: choice.allowSkip }
  } catch (error) {
    if (error instanceof AuditTrailError) throw new UsageError(`${error.message} (audit trail from ${choice.from}); nothing changed`)
    throw error
  }
}
