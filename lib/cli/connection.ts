// Decides which cluster a command talks to. A cluster is named by a flag (--bootstrap-server, --profile, or the
// bootstrap.servers of a --command-config file), else by the environment (KAFKA_BOOTSTRAP_SERVERS or
// RUNBOOK_PROFILE), else by "defaultProfile" in the config file; only when nothing at all names one does a
// command use the running local sandbox, and the header says so. Anything given that is empty, malformed or
// contradicts another choice at the same level is bad input: a script whose variable came out empty must stop,
// never land on whatever cluster happens to answer.

import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { connectionFromProperties, parseBootstrapServers, secretsOf } from '../kafka/connection-config.ts'
import { ConnectionConfigError, type LocalFiles } from '../kafka/connection-settings.ts'
import { parseProperties } from '../kafka/java-properties.ts'
import type { ConnectionOptions } from '../kafka/types.ts'
import type { ClusterChoice } from '../engine/cluster-identity.ts'
import type { OptionSpec, ParsedArgs } from './command.ts'
import type { RunbookConfig } from './config-file.ts'

export const connectionOptions: OptionSpec = {
  'bootstrap-server': { type: 'string' },
  'command-config': { type: 'string' },
  profile: { type: 'string' },
}

export const connectionHelp = `Cluster (one of these; flags before variables, variables before the config file):
  --bootstrap-server <host:port,…>  brokers to start from (or KAFKA_BOOTSTRAP_SERVERS)
  --command-config <file>           client.properties (Java or librdkafka keys): TLS with JKS, PKCS12 or PEM
                                    stores, SASL PLAIN, SCRAM-SHA-256/512 or OAUTHBEARER; its bootstrap.servers
                                    is used when --bootstrap-server is not given
  --profile <name>                  a named cluster from runbook.config.json (or RUNBOOK_PROFILE; "defaultProfile")
  (none of these)                   the local sandbox started by \`runbook sandbox up\` (the header says so)
  An option or variable that is set but empty or malformed is an error, never a reason to use another cluster.`

export interface ResolvedConnection {
  readonly options: ConnectionOptions
  /** For the transcript and headers: which cluster, and what named it — never a secret. */
  readonly choice: ClusterChoice
  /** Passwords, keys and tokens in these settings: masked wherever they would be written. */
  readonly secrets: readonly string[]
}

/** The connection options of one command line, each read as given: repeated with different values is an error. */
function flagValue(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name] as string | undefined
  const given = args.raw.flatMap((arg, i) => (arg === `--${name}` ? [args.raw[i + 1] ?? ''] : arg.startsWith(`--${name}=`) ? [arg.slice(name.length + 3)] : []))
  if (new Set(given).size > 1) throw new ConnectionConfigError(`--${name} is given ${given.length} times with different values — give it once`)
  if (value !== undefined && value.trim() === '') throw new ConnectionConfigError(`--${name} is empty — ${emptyHint[name] ?? 'give a value or leave it out'}`)
  return value?.trim()
}

const emptyHint: Record<string, string> = {
  'bootstrap-server': 'give host:port[,host:port…] (a script whose variable is unset passes an empty one)',
  profile: 'give the name of a profile in runbook.config.json',
  'command-config': 'give the path of a client.properties, or leave the option out',
}

function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]
  if (value === undefined) return undefined
  if (value.trim() === '') throw new ConnectionConfigError(`${name} is set but empty — set it to a cluster, or unset it (nothing else is used in its place)`)
  return value.trim()
}

export async function resolveConnection(args: ParsedArgs, env: NodeJS.ProcessEnv, cwd: string, config: RunbookConfig): Promise<ResolvedConnection> {
  const bootstrapFlag = flagValue(args, 'bootstrap-server')
  const profileFlag = flagValue(args, 'profile')
  const commandConfig = flagValue(args, 'command-config')
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
  const connect = (servers: string, propertiesPath: string | undefined, choice: Omit<ClusterChoice, 'bootstrapServers'>, where: string): ResolvedConnection => {
    let parsed: string[]
    try {
      parsed = parseBootstrapServers(servers)
    } catch (error) {
      throw new ConnectionConfigError(`${where}: ${(error as Error).message}`)
    }
    const props = propertiesPath ? parseProperties(readFile(propertiesPath)) : new Map<string, string>()
    const options = connectionFromProperties(parsed, props, files, propertiesPath ?? 'client properties')
    return { options, choice: { ...choice, bootstrapServers: parsed }, secrets: secretsOf(options, props) }
  }
  const fromProfile = (name: string, how: string): ResolvedConnection => {
    const profile = config.profiles[name]
    if (!profile) {
      const known = Object.keys(config.profiles)
      throw new ConnectionConfigError(
        `no profile "${name}" (${how})${config.path ? ` in ${config.path}` : ''} — ${known.length ? `known: ${known.join(', ')}` : 'add it under "profiles" in runbook.config.json'}`,
      )
    }
    return connect(
      profile.bootstrapServer,
      commandConfig ?? profile.commandConfig,
      { name, profile: name, origin: `profile ${name} (${how})` },
      `profile "${name}"${config.path ? ` in ${config.path}` : ''}`,
    )
  }
  const servers = (list: string, how: string) => connect(list, commandConfig, { name: shortList(list), origin: how }, how)

  if (bootstrapFlag !== undefined && profileFlag !== undefined)
    throw new ConnectionConfigError('--bootstrap-server and --profile both name a cluster — give one of them')
  if (bootstrapFlag !== undefined) return servers(bootstrapFlag, '--bootstrap-server')
  if (profileFlag !== undefined) return fromProfile(profileFlag, '--profile')
  // A client.properties that names its brokers (librdkafka's always do) is enough on its own; named but empty is bad input.
  const inFile = commandConfig ? parseProperties(readFile(commandConfig)).get('bootstrap.servers') : undefined
  if (inFile !== undefined) {
    if (inFile.trim() === '')
      throw new ConnectionConfigError(`bootstrap.servers in ${commandConfig} is empty — give host:port[,host:port…] there, or --bootstrap-server`)
    return servers(inFile.trim(), `bootstrap.servers in ${commandConfig}`)
  }

  const bootstrapEnv = envValue(env, 'KAFKA_BOOTSTRAP_SERVERS')
  const profileEnv = envValue(env, 'RUNBOOK_PROFILE')
  if (bootstrapEnv !== undefined && profileEnv !== undefined)
    throw new ConnectionConfigError(
      'KAFKA_BOOTSTRAP_SERVERS and RUNBOOK_PROFILE are both set and each names a cluster — unset one, or pick with --bootstrap-server / --profile',
    )
  if (bootstrapEnv !== undefined) return servers(bootstrapEnv, 'KAFKA_BOOTSTRAP_SERVERS')
  if (profileEnv !== undefined) return fromProfile(profileEnv, 'RUNBOOK_PROFILE')
  if (config.defaultProfile) return fromProfile(config.defaultProfile, `"defaultProfile" of ${config.path}`)

  const { runningSandboxBootstrap, sandboxConfig } = await import('../sandbox/index.ts')
  const sandbox = await runningSandboxBootstrap({ env })
  const name = sandboxConfig({}, env).name
  if (sandbox)
    return connect(sandbox, commandConfig, { name: `sandbox ${name}`, origin: 'the local sandbox: no cluster was given', sandbox: name }, `sandbox ${name}`)
  throw new ConnectionConfigError(
    'no cluster given — pass --bootstrap-server host:port (or set KAFKA_BOOTSTRAP_SERVERS), or start the local one with `runbook sandbox up`',
  )
}

/** "a:9092,b:9092,c:9092" → "a:9092 +2": enough to recognise a cluster in a one-line header. */
function shortList(list: string): string {
  const servers = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
  return servers.length > 1 ? `${servers[0]} +${servers.length - 1}` : (servers[0] ?? list)
}
