// Decides which cluster a command talks to, the way Kafka's tools do: --bootstrap-server and
// --command-config, then KAFKA_BOOTSTRAP_SERVERS, then a named profile, then the local sandbox.

import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { ConnectionConfigError, connectionFromProperties, parseBootstrapServers, parseProperties } from '../kafka/connection-config.ts'
import type { ConnectionOptions } from '../kafka/types.ts'
import type { OptionSpec, ParsedArgs } from './command.ts'
import type { RunbookConfig } from './config-file.ts'

export const connectionOptions: OptionSpec = {
  'bootstrap-server': { type: 'string' },
  'command-config': { type: 'string' },
  profile: { type: 'string' },
}

export const connectionHelp = `Cluster (first that applies):
  --bootstrap-server <host:port,…>  brokers to start from (or KAFKA_BOOTSTRAP_SERVERS)
  --command-config <file>           client.properties for TLS and SASL (PLAIN, SCRAM-SHA-256/512)
  --profile <name>                  a named cluster from runbook.config.json (or RUNBOOK_PROFILE)
  (none of these)                   the local sandbox started by \`runbook sandbox up\``

export interface ResolvedConnection {
  readonly options: ConnectionOptions
  /** For the transcript and headers: where the cluster came from, never a secret. */
  readonly origin: string
}

export async function resolveConnection(args: ParsedArgs, env: NodeJS.ProcessEnv, cwd: string, config: RunbookConfig): Promise<ResolvedConnection> {
  const flag = args.values['bootstrap-server'] as string | undefined
  const commandConfig = args.values['command-config'] as string | undefined
  const profileName = (args.values.profile as string | undefined) ?? env.RUNBOOK_PROFILE
  const readFile = (path: string) => {
    try {
      return readFileSync(resolve(cwd, path), 'utf8')
    } catch (error) {
      throw new ConnectionConfigError(
        `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}) — check the path in your client properties`,
      )
    }
  }
  const withProperties = (servers: string, propertiesPath: string | undefined, origin: string): ResolvedConnection => {
    const props = propertiesPath ? parseProperties(readFile(propertiesPath)) : new Map<string, string>()
    return { options: connectionFromProperties(parseBootstrapServers(servers), props, readFile, propertiesPath ?? 'client properties'), origin }
  }

  if (flag) return withProperties(flag, commandConfig, `--bootstrap-server ${flag}`)
  if (profileName) {
    const profile = config.profiles[profileName]
    if (!profile) {
      const known = Object.keys(config.profiles)
      throw new ConnectionConfigError(
        `no profile "${profileName}"${config.path ? ` in ${config.path}` : ''} — ${known.length ? `known: ${known.join(', ')}` : 'add it under "profiles" in runbook.config.json'}`,
      )
    }
    return withProperties(profile.bootstrapServer, commandConfig ?? profile.commandConfig, `profile ${profileName}`)
  }
  if (env.KAFKA_BOOTSTRAP_SERVERS) return withProperties(env.KAFKA_BOOTSTRAP_SERVERS, commandConfig, 'KAFKA_BOOTSTRAP_SERVERS')
  if (config.defaultProfile) {
    const profile = config.profiles[config.defaultProfile]!
    return withProperties(profile.bootstrapServer, commandConfig ?? profile.commandConfig, `profile ${config.defaultProfile}`)
  }
  const { runningSandboxBootstrap } = await import('../sandbox/index.ts')
  const sandbox = await runningSandboxBootstrap({ env })
  if (sandbox) return withProperties(sandbox, commandConfig, 'the local sandbox')
  throw new ConnectionConfigError(
    'no cluster given — pass --bootstrap-server host:port (or set KAFKA_BOOTSTRAP_SERVERS), or start the local one with `runbook sandbox up`',
  )
}
