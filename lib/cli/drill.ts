// `runbook drill <scenario>`: break a sandbox the way a real incident does, hand over the runbook, score the
// outcome from what really happened to the data, and save the report beside the session transcript.

import { resolve } from 'node:path'
import { parseDuration } from '../engine/params.ts'
import { loadCatalog } from '../engine/catalog.ts'
import type { SandboxOverrides, SandboxSecurity } from '../sandbox/index.ts'
import type { Command } from './command.ts'
import { loadConfig } from './config-file.ts'
import { resolveConnection } from './connection.ts'
import { ExitCode } from '../engine/exit-codes.ts'
import { packageVersion } from './package-version.ts'
import { collectAnswers, isInteractive, makeIo, operatorName } from './run-support.ts'
import { sessionsDir } from './sessions-dir.ts'
import { UsageError } from './usage-error.ts'
import { colorEnabled, renderBlocks, renderWidth } from '../terminal/render.ts'

const help = `Usage: runbook drill <scenario> [options]
       runbook drill --list [--json]

Starts (or reuses) a local sandbox, breaks it as a real incident does, hands you the matching runbook,
then scores the outcome from the data itself — records lost, records duplicated, time from the fault to
the fix, unsafe actions tried — and saves the report beside the session's transcript.

Scenarios (\`runbook drill --list\` says what each one breaks):
  consumer-oom, unclean-election, isr-shrink, acks-loss, lag-retention, poison-pill, stuck-transaction
  --variant <id>             which way the scenario breaks the system, for scenarios that have variants
                             (\`runbook drill --list\` names them; default: the first)

Trainee:
  (a terminal)               guided: you get the page, then the runbook asks you what it needs
  --set <name>=<value>       answers given up front (repeatable); with --yes or --approve the run is headless
  --answers <file.json>      answers as a JSON object
  --yes | --approve <hash>   approve the runbook's plans headless
  --follow                   run the runbook with the scenario's own correct answers (a demonstration)
                             (scenarios: runbook drill --list; e.g. runbook drill poison-pill --follow)
  --do-nothing               do not run the runbook: measure what the incident costs left alone
  --wait <duration>          with --do-nothing: how long nobody acts (default 20s)
  --json                     print the report as JSON (implies headless)

Sandbox (default: the one \`runbook sandbox\` uses; started and stopped again if it is not running):
  --name <name>              sandbox name (or RUNBOOK_SANDBOX_NAME)
  --port <port>              its base port (or RUNBOOK_SANDBOX_PORT)
  --kafka-version <v>        4.3.1 (default) or 3.9.2
  --elr <on|off>             eligible leader replicas when the drill formats the sandbox (Kafka 4.x; default on)
  --security <mode>          plaintext (default), ssl or sasl_ssl: the sandbox's secured listeners, and the runbook
                             connects through them (SCRAM-SHA-512 over TLS, or mutual TLS for ssl) with the client
                             file the sandbox made; the services it breaks stay on PLAINTEXT
  --keep-sandbox             leave a sandbox this drill started running

Record:
  --sessions-dir <dir>       runbook transcripts (default .runbook/sessions)
  --drills-dir <dir>         drill folders: ledgers, workload logs (default .runbook/drills)
  --operator <name>          who is training

Exit codes: 0 the drill ran and was scored (see the report for pass/fail), 1 failed, 2 bad input, 130 Ctrl-C`

export const command: Command = {
  name: 'drill',
  summary: 'break the sandbox the way real incidents do, run the runbook, get scored',
  help,
  options: {
    list: { type: 'boolean' },
    variant: { type: 'string' },
    set: { type: 'string', multiple: true },
    answers: { type: 'string' },
    yes: { type: 'boolean', short: 'y' },
    approve: { type: 'string', multiple: true },
    follow: { type: 'boolean' },
    'do-nothing': { type: 'boolean' },
    wait: { type: 'string' },
    json: { type: 'boolean' },
    headless: { type: 'boolean' },
    name: { type: 'string' },
    port: { type: 'string' },
    'kafka-version': { type: 'string' },
    elr: { type: 'string' },
    security: { type: 'string' },
    'keep-sandbox': { type: 'boolean' },
    'sessions-dir': { type: 'string' },
    'drills-dir': { type: 'string' },
    operator: { type: 'string' },
    config: { type: 'string' },
  },
  async run(args, env) {
    const { chooseVariant, drillReportBlocks, findScenario, runDrill, scenarios } = await import('../drills/index.ts')
    if (args.values.list) {
      if (args.values.json)
        env.stdout.write(
          JSON.stringify(
            scenarios.map((s) => ({ id: s.id, summary: s.summary, runbook: s.runbook, ...(s.variants ? { variants: s.variants } : {}) })),
            null,
            2,
          ) + '\n',
        )
      else
        for (const s of scenarios) {
          env.stdout.write(`${s.id.padEnd(16)} ${s.summary} (runbook ${s.runbook})\n`)
          for (const v of s.variants ?? []) env.stdout.write(`${''.padEnd(16)}   --variant ${v.id}: ${v.summary}\n`)
        }
      return ExitCode.done
    }
    const id = args.positionals[0]
    if (!id) throw new UsageError(`which scenario? — one of ${scenarios.map((s) => s.id).join(', ')} (\`runbook drill --list\`)`)
    const scenario = findScenario(id)
    if (!scenario) throw new UsageError(`no drill "${id}" — known: ${scenarios.map((s) => s.id).join(', ')}`)
    const chosen = chooseVariant(scenario, args.values.variant as string | undefined)
    if ('error' in chosen) throw new UsageError(chosen.error)
    if (args.values.follow && args.values['do-nothing']) throw new UsageError('--follow and --do-nothing exclude each other — pick one')
    const config = loadConfig(env.cwd, env.env, args.values.config as string | undefined)
    const loaded = await (await loadCatalog()).load(scenario.runbook)
    if (!loaded || 'error' in loaded)
      throw new UsageError(`the drill needs runbook ${scenario.runbook}, which is not available in this install${loaded ? `: ${loaded.error}` : ''}`)
    const runbook = loaded.runbook

    const overrides: { -readonly [K in keyof SandboxOverrides]?: SandboxOverrides[K] } = { ...scenario.sandbox }
    if (typeof args.values.name === 'string') overrides.name = args.values.name
    if (typeof args.values['kafka-version'] === 'string') overrides.kafkaVersion = args.values['kafka-version']
    if (typeof args.values.elr === 'string') {
      if (!/^(on|off)$/.test(args.values.elr)) throw new UsageError(`--elr takes on or off, not "${args.values.elr}"`)
      overrides.elr = args.values.elr === 'on'
    }
    if (typeof args.values.port === 'string') {
      if (!/^\d+$/.test(args.values.port)) throw new UsageError(`--port takes a number, not "${args.values.port}"`)
      overrides.basePort = Number(args.values.port)
    }
    const { sandboxConfig, sandboxSecurities } = await import('../sandbox/index.ts')
    if (typeof args.values.security === 'string') {
      const security = args.values.security.toLowerCase()
      if (!(sandboxSecurities as readonly string[]).includes(security))
        throw new UsageError(`--security takes ${sandboxSecurities.join(', ')}, not "${args.values.security}"`)
      overrides.security = security as SandboxSecurity
    }
    const sandbox = sandboxConfig(overrides, env.env)

    const answers = collectAnswers(args, env.cwd)
    const approvals = { yes: Boolean(args.values.yes), hashes: (args.values.approve as string[] | undefined) ?? [] }
    const interactive = isInteractive(args, env)
    const io = await makeIo(interactive && !args.values.follow, args, env)
    const trainee = args.values['do-nothing']
      ? ({ kind: 'nothing', waitMs: parseDuration((args.values.wait as string | undefined) ?? '20s') } as const)
      : args.values.follow
        ? ({ kind: 'follow', io } as const)
        : interactive
          ? ({ kind: 'guided', io, answers } as const)
          : ({ kind: 'headless', io, answers, approvals } as const)

    const [{ connect }, { createSandboxProbe }, { openLogDir }] = await Promise.all([
      import('../kafka/index.ts'),
      import('../kafka/platformatic/sandbox-probe.ts'),
      import('../kafka/log-dir/index.ts'),
    ])
    const result = await runDrill({
      scenario,
      ...(chosen.variant === null ? {} : { variant: chosen.variant }),
      runbook,
      trainee,
      sandbox,
      probe: createSandboxProbe(),
      openLogDir,
      connectTo: (bootstrap, extra) => connect({ bootstrapServers: bootstrap.split(','), clientId: 'runbook-drill', ...extra }),
      connect: async (running) => {
        if (running.security === 'plaintext')
          return { kafka: await connect({ bootstrapServers: running.bootstrap.split(','), clientId: 'runbook-drill' }), secrets: [] }
        // The runbook signs in as an operator would: SCRAM over TLS, or a client certificate on an ssl sandbox.
        const file = running.clientFiles.find(
          (candidate) => candidate.file === (running.security === 'sasl_ssl' ? 'scram-sha-512.properties' : 'mtls-pem.properties'),
        )
        if (!file)
          throw new UsageError(
            `sandbox ${running.name} has no client files — run \`runbook sandbox down --wipe --name ${running.name}\` and start the drill again`,
          )
        const resolved = await resolveConnection(
          { values: { 'command-config': file.path, 'bootstrap-server': running.listeners[file.listener]! }, positionals: [], raw: [] },
          env.env,
          env.cwd,
          config,
        )
        return { kafka: await connect({ ...resolved.options, clientId: 'runbook-drill' }), secrets: resolved.secrets }
      },
      drillsDir: resolve(env.cwd, (args.values['drills-dir'] as string | undefined) ?? '.runbook/drills'),
      sessionsDir: sessionsDir(args, env, config),
      keepSandbox: Boolean(args.values['keep-sandbox']),
      ...operatorName(args, env),
      toolVersion: await packageVersion(),
      args: args.raw,
      signal: env.signal,
      onProgress: (line) => env.stderr.write(`… ${line}\n`),
    })
    if (args.values.json) env.stdout.write(JSON.stringify(result.report, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n')
    else
      env.stdout.write(
        `${renderBlocks(drillReportBlocks(result.report), { color: colorEnabled(env.stdout, env.env), width: renderWidth(env.stdout) })}\n\nReport saved: ${result.reportPaths.join(', ')}\n`,
      )
    return ExitCode.done
  },
}
