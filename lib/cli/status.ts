// `runbook status`: what is wrong with the cluster right now, and which runbook fits. A report, so it exits
// 0 however unhealthy the cluster is; 2 when the cluster cannot be reached.

import { markdown } from '../engine/blocks.ts'
import { clusterLine } from '../engine/cluster-identity.ts'
import type { Command } from './command.ts'
import { loadConfig } from './config-file.ts'
import { connectionHelp, connectionOptions, resolveConnection } from './connection.ts'
import { ExitCode } from '../engine/exit-codes.ts'
import { readHealthSnapshot } from '../reads/status-snapshot.ts'

/** What turns the snapshot into the report: ~30 ms of modules to load, loaded while the cluster answers. */
const loadReporting = async () => {
  const [{ planClusterHealth }, render, view] = await Promise.all([
    import('../plans/cluster-health.ts'),
    import('../terminal/render.ts'),
    import('./status-view.ts'),
  ])
  return { planClusterHealth, ...render, ...view }
}

export const command: Command = {
  name: 'status',
  summary: 'what is wrong with the cluster right now, and which runbook fits',
  help: `runbook status [--json] — brokers, controller, the partitions that matter, consumer lag, the durability
audit in one line, and which runbook fits

Partitions are flagged exactly as kafka-topics --describe flags them:
  unavailable       no leader   (--unavailable-partitions)
  under min ISR     no leader, or fewer in-sync replicas than min.insync.replicas   (--under-min-isr-partitions)
  at min ISR        exactly min.insync.replicas in sync   (--at-min-isr-partitions)
  under-replicated  fewer in-sync replicas than the replication factor   (--under-replicated-partitions)

Options:
  --json            print the full report as JSON (every flagged partition listed)
  --config <file>   runbook.config.json with cluster profiles

Exit codes: 0 the report was made (whatever it says), 2 the cluster could not be reached.

${connectionHelp}`,
  options: {
    ...connectionOptions,
    json: { type: 'boolean' },
    config: { type: 'string' },
  },
  async run(args, env) {
    const config = loadConfig(env.cwd, env.env, args.values.config as string | undefined)
    const connection = await resolveConnection(args, env.env, env.cwd, config)
    const { connect } = await import('../kafka/index.ts')
    const kafka = await connect({ ...connection.options, onNotice: (line) => env.stderr.write(`runbook: ${line}\n`) })
    try {
      const reading = readHealthSnapshot(kafka)
      const reporting = loadReporting()
      const [snapshot, { planClusterHealth, healthJson, renderBlocks, describeHealth, colorEnabled, renderWidth }] = await Promise.all([reading, reporting])
      const report = planClusterHealth(snapshot)
      if (args.values.json) env.stdout.write(healthJson(report) + '\n')
      else {
        const header = markdown(
          clusterLine({ ...connection.choice, clusterId: report.cluster.id, kafkaLine: report.cluster.kafkaLine, elr: report.cluster.elr }),
        )
        env.stdout.write(renderBlocks([header, ...describeHealth(report)], { color: colorEnabled(env.stdout, env.env), width: renderWidth(env.stdout) }) + '\n')
      }
      return ExitCode.done
    } finally {
      await kafka.close()
    }
  },
}
