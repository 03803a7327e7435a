// Decides which cluster a command talks to, the way Kafka's tools do: --bootstrap-server and
// --command-config, then a named profile, then the command config's own bootstrap.servers, then
// KAFKA_BOOTSTRAP_SERVERS, then the default profile, then the local sandbox.

import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { connectionFromProperties, parseBootstrapServers, secretsOf } from '../kafka/connection-config.ts'
import { ConnectionConfigError, type LocalFiles } from '../kafka/connection-settings.ts'
import { parseProperties } from '../kafka/java-properties.ts'
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
  --command-config <file>           client.properties (Java or librdkafka keys): TLS with JKS, PKCS12 or PEM
                                    stores, SASL PLAIN, SCRAM-SHA-256/512 or OAUTHBEARER; its bootstrap.servers
                                    is used when --bootstrap-server is not given
  --profile <name>                  a named cluster from runbook.config.json (or RUNBOOK_PROFILE)
  (none of these)                   the local sandbox started by \`runbook sandbox up\``

export interface ResolvedConnection {
  readonly options: ConnectionOptions
  /** For the transcript and headers: where the cluster came from, never a secret. */
  readonly origin: string
  /** Passwords, keys and tokens in these settings: masked wherever they would be written. */
  readonly secrets: readonly string[]
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
  // Paths inside the properties resolve against the working directory, as Kafka's tools resolve them.
  const files: LocalFiles = {
    read: (path) => readFileSync(resolve(cwd, path)),
    list: (path) => (statSync(resolve(cwd, path)).isDirectory() ? readdirSync(resolve(cwd, path)).map((name) => join(resolve(cwd, path), name)) : null),
  }
  const withProperties = (servers: string, propertiesPath: string | undefined, origin: string): ResolvedConnection => {
    const props = propertiesPath ? parseProperties(readFile(propertiesPath)) : new Map<string, string>()
    const options = connectionFromProperties(parseBootstrapServers(servers), props, files, propertiesPath ?? 'client properties')
    return { options, origin, secrets: secretsOf(options, props) }
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
  // A client.properties that names its brokers (librdkafka's always do) is enough on its own.
  const inFile = commandConfig ? parseProperties(readFile(commandConfig)).get('bootstrap.servers')?.trim() : undefined
  if (inFile) return withProperties(inFile, commandConfig, `bootstrap.servers in ${commandConfig}`)
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
