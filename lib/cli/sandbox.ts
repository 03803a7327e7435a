// `runbook sandbox`: a local multi-broker Kafka for drills and tests — up, down, status, logs, and faults
// on one node (kill, stop, pause, resume, start). Wires lib/sandbox to the real Kafka client's probe.

import type { NodeAction, SandboxClusterView, SandboxConfig, SandboxOverrides, SandboxProbe, SandboxSecurity, SandboxStatus } from '../sandbox/index.ts'
import { control, controllerNodeId, down, nodeLogFiles, sandboxConfig, sandboxSecurities, status, up } from '../sandbox/index.ts'
import type { Command, CommandEnv, ParsedArgs } from './command.ts'
import { ExitCode } from '../engine/exit-codes.ts'
import { followLog, printLastLines } from './sandbox-logs.ts'
import { UsageError } from './usage-error.ts'

const actions = ['up', 'down', 'status', 'logs', 'kill', 'stop', 'pause', 'resume', 'start'] as const
type Action = (typeof actions)[number]

const help = `runbook sandbox — a local Apache Kafka cluster (KRaft: 1 controller + 3 brokers) for drills and tests

Usage:
  runbook sandbox up                 start it (or finish starting it) and wait until it is ready
  runbook sandbox down [--wipe]      stop every node, brokers first; --wipe also deletes data and logs
  runbook sandbox status [--json]    each node's process and the cluster's own view
  runbook sandbox logs <node>        the last lines of a node's log; --follow keeps printing
  runbook sandbox kill <node>        SIGKILL a node (a crash)
  runbook sandbox stop <node>        SIGTERM a node (a controlled shutdown)
  runbook sandbox pause <node>       SIGSTOP a node (a hung process)
  runbook sandbox resume <node>      SIGCONT a paused node
  runbook sandbox start <node>       restart a killed or stopped node on its own data

<node> is a broker id (1, 2, 3) or "controller".

Options:
  --name <name>              which sandbox (default "default", or RUNBOOK_SANDBOX_NAME)
  --kafka-version <v>        4.3.1 (default) or 3.9.2 (or RUNBOOK_KAFKA_VERSION; KAFKA_HOME runs its own)
  --brokers <n>              number of brokers, 1-9 (default 3)
  --port <port>              base port: controller on it, broker n on port+n (default 19090, or RUNBOOK_SANDBOX_PORT)
  --elr <on|off>             eligible leader replicas at format time (Kafka 4.x; default on)
  --broker-heap <MiB>        each broker's heap, read at every start (default 384, or RUNBOOK_SANDBOX_BROKER_HEAP)
  --broker-property <k=v>    extra broker setting (repeatable)
  --controller-property <k=v>  extra controller setting (repeatable)
  --rack <id>=<rack|none>    broker.rack of one broker (default r<id>; none: no rack); repeatable, read at every start
  --security <mode>          plaintext (default); ssl: a TLS listener requiring client certificates on port+20+n;
                             sasl_ssl: that and a SASL_SSL listener (SCRAM-SHA-512/256, PLAIN) on port+10+n.
                             A throwaway CA, certificates (127.0.0.1, localhost), users and client.properties
                             files (PEM, PKCS12, JKS, librdkafka) are made in the sandbox folder; \`status\` lists
                             them. PLAINTEXT stays on port+n for replication and the sandbox's own checks.
                             (or RUNBOOK_SANDBOX_SECURITY; fixed when the sandbox is created)
  --oauth-jwks-url <url>     with sasl_ssl: an OAUTHBEARER listener on port+30+n validating tokens against this JWKS
  --timeout <seconds>        how long up / start wait for readiness (default 120)
  --wipe                     with down: delete the sandbox's data, configs and logs
  --json                     machine-readable output (up, down, status and the node actions)
  --follow, -f               with logs: keep printing new lines until Ctrl-C
  --lines <n>                with logs: how many lines to show (default 50)

Files: state in $XDG_STATE_HOME/kafka-runbooks/sandboxes/<name> (~/.local/state/...), Kafka jars cached in
$XDG_CACHE_HOME/kafka-runbooks/kafka/<version> (~/.cache/...). Needs Java 17+ (JAVA_HOME or java on PATH).
A sandbox keeps running after this command exits; stop it with \`runbook sandbox down\`.`

export const command: Command = {
  name: 'sandbox',
  summary: 'a local Kafka cluster for drills and tests: up, down, status, logs, kill, stop, pause, resume, start',
  help,
  options: {
    name: { type: 'string' },
    'kafka-version': { type: 'string' },
    brokers: { type: 'string' },
    port: { type: 'string' },
    elr: { type: 'string' },
    'broker-heap': { type: 'string' },
    'broker-property': { type: 'string', multiple: true },
    rack: { type: 'string', multiple: true },
    'controller-property': { type: 'string', multiple: true },
    security: { type: 'string' },
    'oauth-jwks-url': { type: 'string' },
    timeout: { type: 'string' },
    wipe: { type: 'boolean' },
    json: { type: 'boolean' },
    follow: { type: 'boolean', short: 'f' },
    lines: { type: 'string' },
  },
  async run(args, env) {
    const [action, ...rest] = args.positionals
    if (!action || !(actions as readonly string[]).includes(action)) {
      throw new UsageError(`${action ? `unknown action "${action}"` : 'no action given'} — use one of ${actions.join(', ')} (see \`runbook sandbox --help\`)`)
    }
    const config = sandboxConfig(overridesFrom(args), env.env)
    switch (action as Action) {
      case 'up':
        return runUp(config, args, env)
      case 'down':
        return runDown(config, args, env)
      case 'status':
        return runStatus(config, args, env)
      case 'logs': {
        const files = nodeLogFiles(config, nodeIdFrom(rest, action))
        if (args.values.follow) return followLog(files.serverLog, numberOption(args, 'lines', 50), env)
        return printLastLines(files.serverLog, numberOption(args, 'lines', 50), env)
      }
      default:
        return runControl(config, action as NodeAction, nodeIdFrom(rest, action), args, env)
    }
  },
}

async function runUp(config: SandboxConfig, args: ParsedArgs, env: CommandEnv): Promise<number> {
  const info = await up(config, {
    probe: await loadProbe(),
    onProgress: (line) => env.stderr.write(`… ${line}\n`),
    signal: env.signal,
    timeoutMs: numberOption(args, 'timeout', 120) * 1000,
    env: env.env,
  })
  if (args.values.json) {
    env.stdout.write(JSON.stringify(info, null, 2) + '\n')
    return ExitCode.done
  }
  const brokers = info.nodes.filter((node) => node.role === 'broker').length
  const elr = info.kafkaVersion.startsWith('3.') ? '' : `, ELR ${info.elr ? 'on' : 'off'}`
  env.stdout.write(
    [
      `sandbox ${info.name} ${info.startedNodes.length > 0 ? 'is up' : 'was already up'}: Kafka ${info.kafkaVersion}, ${brokers} broker${brokers > 1 ? 's' : ''} + controller${elr}`,
      `bootstrap: ${info.bootstrap}`,
      ...describeSecurity(info),
      `stop it with: runbook sandbox down${nameFlag(info.name)}`,
    ].join('\n') + '\n',
  )
  return ExitCode.done
}

async function runDown(config: SandboxConfig, args: ParsedArgs, env: CommandEnv): Promise<number> {
  const result = await down(config, { wipe: args.values.wipe === true })
  if (args.values.json) {
    env.stdout.write(JSON.stringify({ name: config.name, ...result }, null, 2) + '\n')
    return ExitCode.done
  }
  const killed = result.stopped.filter((node) => node.how === 'killed').map((node) => node.id)
  const summary =
    result.stopped.length === 0
      ? `sandbox ${config.name}: nothing was running`
      : `sandbox ${config.name}: stopped ${result.stopped.length} node${result.stopped.length > 1 ? 's' : ''}${killed.length ? ` (SIGKILL needed for ${killed.join(', ')})` : ''}`
  env.stdout.write(`${summary}${result.wiped ? '; data, configs and logs deleted' : ''}\n`)
  return ExitCode.done
}

async function runStatus(config: SandboxConfig, args: ParsedArgs, env: CommandEnv): Promise<number> {
  const current = status(config)
  let view: SandboxClusterView | null = null
  let clusterError: string | null = null
  if (current.created && current.nodes.some((node) => node.role === 'broker' && node.state === 'up')) {
    try {
      view = await (await loadProbe()).readCluster(current.bootstrap, { timeoutMs: 3000 })
    } catch (error) {
      clusterError = error instanceof Error ? error.message.split('\n')[0]! : String(error)
    }
  } else {
    clusterError = current.created ? 'no broker is running' : 'not created'
  }
  if (args.values.json) {
    env.stdout.write(JSON.stringify({ ...current, cluster: view, clusterError }, null, 2) + '\n')
    return ExitCode.done
  }
  env.stdout.write(describeStatus(current, view, clusterError) + '\n')
  return ExitCode.done
}

async function runControl(config: SandboxConfig, action: NodeAction, nodeId: number, args: ParsedArgs, env: CommandEnv): Promise<number> {
  const node = await control(config, nodeId, action, {
    ...(action === 'start' ? { probe: await loadProbe() } : {}),
    timeoutMs: numberOption(args, 'timeout', action === 'start' ? 120 : 30) * 1000,
    env: env.env,
    signal: env.signal,
  })
  if (args.values.json) {
    env.stdout.write(JSON.stringify({ action, node }, null, 2) + '\n')
    return ExitCode.done
  }
  const done: Record<NodeAction, string> = {
    kill: 'killed (SIGKILL)',
    stop: 'stopped (SIGTERM)',
    pause: 'paused (SIGSTOP)',
    resume: 'resumed (SIGCONT)',
    start: 'started',
  }
  env.stdout.write(`${node.role} ${node.id}: ${done[action]} — now ${node.state}${node.pid ? `, pid ${node.pid}` : ''}\n`)
  return ExitCode.done
}

/** The human-readable status: one row per node, with the cluster's own view beside the process state. */
export function describeStatus(current: SandboxStatus, view: SandboxClusterView | null, clusterError: string | null): string {
  if (!current.created) return `sandbox ${current.name}: not created (start it with \`runbook sandbox up${nameFlag(current.name)}\`)`
  const elr = current.kafkaVersion.startsWith('3.') ? '' : `, ELR ${current.elr ? 'on' : 'off'}`
  const lines = [
    `sandbox ${current.name}: Kafka ${current.kafkaVersion}${elr}, cluster id ${current.clusterId}`,
    `bootstrap: ${current.bootstrap}`,
    ...describeSecurity(current),
    `state: ${current.stateDir}${current.reaperPid ? ` (stopped automatically when its owner exits: watchdog pid ${current.reaperPid})` : ''}`,
    '',
  ]
  const rows = [['node', 'role', 'pid', 'port', 'process', 'cluster view']]
  for (const node of current.nodes) {
    let cluster = '?'
    if (view && node.role === 'controller')
      cluster =
        view.activeControllerId === node.id ? 'active controller' : view.activeControllerId === null ? 'unknown' : `not active (${view.activeControllerId} is)`
    if (view && node.role === 'broker') {
      const broker = view.brokers.find((candidate) => candidate.id === node.id)
      cluster = broker ? (broker.fenced ? 'registered, fenced' : 'registered, unfenced') : 'not registered (or fenced)'
    }
    rows.push([String(node.id), node.role, node.pid ? String(node.pid) : '-', String(node.port), node.state, cluster])
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  for (const row of rows)
    lines.push(
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    )
  if (clusterError) lines.push('', `cluster view unavailable: ${clusterError}`)
  return lines.join('\n')
}

/** A secured sandbox's listeners and client files, one line each; nothing for a plaintext one. */
function describeSecurity(current: SandboxStatus): string[] {
  if (current.security === 'plaintext') return []
  const listeners = Object.entries(current.listeners)
    .filter(([name]) => name !== 'PLAINTEXT')
    .map(([name, bootstrap]) => `${name} ${bootstrap}`)
  const width = Math.max(...current.clientFiles.map((file) => file.path.length))
  return [
    `secured (${current.security}): ${listeners.join('; ')} — PLAINTEXT above is for replication and the sandbox's own checks`,
    `client files (use one with --command-config; each names its bootstrap servers):`,
    ...current.clientFiles.map((file) => `  ${file.path.padEnd(width)}  ${file.summary}`),
  ]
}

/**
 * The readiness probe on the real client. Its import takes ~0.4 s (seconds on a busy machine), so only the
 * actions that talk to the cluster load it, and the probe is handed out at once: it loads while the nodes format
 * and start.
 */
async function loadProbe(): Promise<SandboxProbe> {
  const loading = import('../kafka/platformatic/sandbox-probe.ts').then((m) => m.createSandboxProbe())
  loading.catch(() => {}) // reported by the first call that needs it
  return {
    readCluster: async (bootstrap, options) => (await loading).readCluster(bootstrap, options),
    writeProbeRecords: async (bootstrap, options) => (await loading).writeProbeRecords(bootstrap, options),
  }
}

function overridesFrom(args: ParsedArgs): SandboxOverrides {
  const values = args.values
  const overrides: { -readonly [K in keyof SandboxOverrides]: SandboxOverrides[K] } = {}
  if (typeof values.name === 'string') overrides.name = values.name
  if (typeof values['kafka-version'] === 'string') overrides.kafkaVersion = values['kafka-version']
  if (typeof values.brokers === 'string') overrides.brokers = wholeNumber(values.brokers, '--brokers')
  if (typeof values.port === 'string') overrides.basePort = wholeNumber(values.port, '--port')
  if (typeof values['broker-heap'] === 'string') overrides.brokerHeapMb = wholeNumber(values['broker-heap'], '--broker-heap')
  if (typeof values.elr === 'string') {
    if (!/^(on|off)$/.test(values.elr)) throw new UsageError(`--elr takes on or off, not "${values.elr}"`)
    overrides.elr = values.elr === 'on'
  }
  const brokerProperties = propertyList(values['broker-property'], '--broker-property')
  if (brokerProperties) overrides.brokerProperties = brokerProperties
  const controllerProperties = propertyList(values['controller-property'], '--controller-property')
  if (controllerProperties) overrides.controllerProperties = controllerProperties
  if (typeof values.security === 'string') {
    const security = values.security.toLowerCase()
    if (!(sandboxSecurities as readonly string[]).includes(security)) {
      throw new UsageError(`--security takes ${sandboxSecurities.join(', ')}, not "${values.security}"`)
    }
    overrides.security = security as SandboxSecurity
  }
  if (typeof values['oauth-jwks-url'] === 'string') overrides.oauthJwksUrl = values['oauth-jwks-url']
  const racks = propertyList(values.rack, '--rack')
  if (racks) {
    overrides.racks = Object.fromEntries(
      Object.entries(racks).map(([id, rack]) => {
        if (!/^\d+$/.test(id)) throw new UsageError(`--rack takes <broker id>=<rack|none>, not "${id}=${rack}"`)
        return [Number(id), rack === 'none' || rack === '' ? null : rack]
      }),
    )
  }
  return overrides
}

function propertyList(raw: unknown, flag: string): Record<string, string> | undefined {
  if (!Array.isArray(raw) || raw.length === 0) return undefined
  const result: Record<string, string> = {}
  for (const item of raw as string[]) {
    const eq = item.indexOf('=')
    if (eq <= 0) throw new UsageError(`${flag} takes key=value, not "${item}"`)
    result[item.slice(0, eq).trim()] = item.slice(eq + 1).trim()
  }
  return result
}

function nodeIdFrom(rest: readonly string[], action: string): number {
  const [node, extra] = rest
  if (node === undefined) throw new UsageError(`${action} needs a node: a broker id (1, 2, 3) or "controller"`)
  if (extra !== undefined) throw new UsageError(`${action} takes one node, not "${rest.join(' ')}"`)
  if (node === 'controller') return controllerNodeId
  const match = /^(?:broker-?)?(\d+)$/.exec(node)
  if (!match) throw new UsageError(`"${node}" is not a node — use a broker id (1, 2, 3) or "controller"`)
  return Number(match[1])
}

function numberOption(args: ParsedArgs, name: string, fallback: number): number {
  const raw = args.values[name]
  return typeof raw === 'string' ? wholeNumber(raw, `--${name}`) : fallback
}

function wholeNumber(text: string, flag: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag} takes a whole number, not "${text}"`)
  return Number(text)
}

function nameFlag(name: string): string {
  return name === 'default' ? '' : ` --name ${name}`
}
