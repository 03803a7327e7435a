// Which cluster a session acted on: what the operator named (a profile, bootstrap servers, the local sandbox),
// and what the cluster itself says it is (its id, Kafka line, ELR). Recorded at the start of every session, hashed
// into every plan, compared before an undo or an approved plan touches anything, and shown in one line on top.

import type { KafkaOps } from '../kafka/types.ts'

/** How the operator named the cluster; no secret ever goes here. */
export interface ClusterChoice {
  /** What the header calls it: the profile, "sandbox <name>", or the first bootstrap server "+N". */
  readonly name: string
  /** What named it: "--bootstrap-server", "profile prod-eu (--profile)", "the local sandbox: no cluster was given". */
  readonly origin: string
  readonly profile?: string
  /** The local sandbox's name, when nothing else was given. */
  readonly sandbox?: string
  readonly bootstrapServers?: readonly string[]
}

/** The cluster as recorded in a session's first event. */
export interface ClusterIdentity extends ClusterChoice {
  /** The id Kafka formatted the cluster with; null only when the cluster does not report one. */
  readonly clusterId: string | null
  readonly kafkaLine: string | null
  readonly elr: string
}

/** What a caller says about the cluster: at least what named it; the engine asks the cluster for the rest. */
export type ClusterClaim = Partial<ClusterIdentity> & { readonly origin: string }

/**
 * Asks the cluster who it is, for a choice the caller made. The id always comes from the cluster, whatever the
 * caller claims: it is what undo and approvals compare. The version line and ELR state a caller read are kept.
 */
export async function readClusterIdentity(kafka: KafkaOps, choice: ClusterClaim): Promise<ClusterIdentity> {
  const [cluster, caps] = await Promise.all([
    kafka.cluster(),
    choice.kafkaLine === undefined || choice.elr === undefined ? kafka.capabilities() : { kafkaLine: choice.kafkaLine, elr: choice.elr },
  ])
  return { ...choice, name: choice.name ?? choice.origin, clusterId: cluster.clusterId, kafkaLine: caps.kafkaLine, elr: caps.elr }
}

/** `cluster prod-eu · id 4L6g3nShT-eMCtK--X86sw · Kafka 4.3 · ELR on` — Markdown, names in code spans. */
export function clusterLine(identity: Omit<ClusterIdentity, 'origin'> & { readonly origin?: string }): string {
  const parts = [`cluster \`${identity.name}\``, `id \`${identity.clusterId ?? 'unknown'}\``]
  if (identity.kafkaLine) parts.push(`Kafka ${identity.kafkaLine}`)
  parts.push(identity.elr === 'on' || identity.elr === 'off' ? `ELR ${identity.elr}` : 'no ELR')
  if (identity.sandbox !== undefined) parts.push('no cluster was given, so the local sandbox')
  return parts.join(' · ')
}

/** The same cluster, by the only thing that cannot be renamed: both ids known and equal. */
export function sameCluster(recorded: string | null | undefined, current: string | null | undefined): boolean {
  return typeof recorded === 'string' && recorded !== '' && recorded === current
}
