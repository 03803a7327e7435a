// The optional project or user config file: named cluster profiles, where sessions go, extra runbook folders.
// Looked up as ./runbook.config.json, then $XDG_CONFIG_HOME/runbook/config.json (~/.config/runbook/config.json).

import { dirname, join, resolve } from 'node:path'
import { ExitCode } from '../engine/exit-codes.ts'
import { fileText } from '../engine/file-text.ts'

export interface Profile {
  /** host:port[,host:port…] */
  readonly bootstrapServer: string
  /** A client.properties for TLS / SASL, relative to the config file. */
  readonly commandConfig?: string
  /** This cluster's audit trail, in place of the file's own "audit". */
  readonly audit?: AuditConfig
}

/** Where every decisive event is also written, outside the operator's disk (see lib/engine/audit-trail.ts). */
export interface AuditConfig {
  readonly topic: string
  /** Whether `--no-audit` may skip it (default: no). */
  readonly allowNoAudit: boolean
}

export interface RunbookConfig {
  readonly path: string | null
  readonly profiles: Readonly<Record<string, Profile>>
  readonly defaultProfile?: string
  /** Where session transcripts go; relative to the working directory. */
  readonly sessionsDir?: string
  /** Extra folders with the team's own runbooks, relative to the config file. */
  readonly runbooks: readonly string[]
  /** The audit trail of every cluster a profile does not give its own. */
  readonly audit?: AuditConfig
}

export class ConfigFileError extends Error {
  readonly exitCode = ExitCode.refused
}

/** The user's home folder: $HOME, or the system's answer when it is unset (node:os loads only then: milliseconds of a cold start under Bun). */
export function homeFolder(env: NodeJS.ProcessEnv): string {
  return env.HOME || process.getBuiltinModule('node:os').homedir()
}

export function configFileCandidates(cwd: string, env: NodeJS.ProcessEnv): string[] {
  const configHome = env.XDG_CONFIG_HOME || join(homeFolder(env), '.config')
  return [join(cwd, 'runbook.config.json'), join(configHome, 'runbook', 'config.json')]
}

/** The first config file that exists, parsed and checked; an empty config when there is none. */
export function loadConfig(cwd: string, env: NodeJS.ProcessEnv, explicitPath?: string): RunbookConfig {
  // An empty --config must not quietly become the default file, whose defaultProfile may be another cluster.
  if (explicitPath !== undefined && explicitPath.trim() === '')
    throw new ConfigFileError('--config is empty — give the path of a runbook.config.json, or leave it out')
  const candidates = explicitPath ? [resolve(cwd, explicitPath)] : configFileCandidates(cwd, env)
  for (const path of candidates) {
    let text: string
    try {
      text = fileText(path)
    } catch (error) {
      if (explicitPath) throw new ConfigFileError(`cannot read config file ${path} (${(error as Error).message})`)
      continue
    }
    return parseConfig(text, path)
  }
  return { path: null, profiles: {}, runbooks: [] }
}

export function parseConfig(text: string, path: string): RunbookConfig {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (error) {
    throw new ConfigFileError(`${path} is not valid JSON (${(error as Error).message}) — fix the file`)
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigFileError(`${path} must hold a JSON object`)
  const object = raw as Record<string, unknown>
  const base = dirname(path)
  const profiles: Record<string, Profile> = {}
  const rawProfiles = object.profiles ?? {}
  if (typeof rawProfiles !== 'object' || rawProfiles === null)
    throw new ConfigFileError(`${path}: "profiles" must be an object of name → { bootstrapServer, commandConfig? }`)
  for (const [name, value] of Object.entries(rawProfiles as Record<string, unknown>)) {
    const profile = value as Partial<Profile> | null
    if (name.trim() === '') throw new ConfigFileError(`${path}: a profile has an empty name — name each profile`)
    if (!profile || typeof profile.bootstrapServer !== 'string' || profile.bootstrapServer.trim() === '') {
      throw new ConfigFileError(`${path}: profile "${name}" needs a "bootstrapServer" (host:port[,host:port…])`)
    }
    if (profile.commandConfig !== undefined && (typeof profile.commandConfig !== 'string' || profile.commandConfig.trim() === '')) {
      throw new ConfigFileError(`${path}: profile "${name}": "commandConfig" must be a path (leave it out for none)`)
    }
    const audit = (profile as { audit?: unknown }).audit
    profiles[name] = {
      bootstrapServer: profile.bootstrapServer,
      ...(profile.commandConfig ? { commandConfig: resolve(base, profile.commandConfig) } : {}),
      ...(audit !== undefined ? { audit: parseAudit(audit, `${path}: profile "${name}": "audit"`) } : {}),
    }
  }
  const runbooks = object.runbooks ?? []
  if (!Array.isArray(runbooks) || runbooks.some((r) => typeof r !== 'string')) throw new ConfigFileError(`${path}: "runbooks" must be a list of folders`)
  if (object.defaultProfile !== undefined && (typeof object.defaultProfile !== 'string' || !(object.defaultProfile in profiles))) {
    throw new ConfigFileError(`${path}: "defaultProfile" must name one of the profiles`)
  }
  if (object.sessionsDir !== undefined && (typeof object.sessionsDir !== 'string' || object.sessionsDir.trim() === ''))
    throw new ConfigFileError(`${path}: "sessionsDir" must be a path (a folder name, not empty)`)
  return {
    path,
    profiles,
    ...(object.audit !== undefined ? { audit: parseAudit(object.audit, `${path}: "audit"`) } : {}),
    ...(object.defaultProfile ? { defaultProfile: object.defaultProfile as string } : {}),
    ...(object.sessionsDir ? { sessionsDir: object.sessionsDir as string } : {}),
    runbooks: (runbooks as string[]).map((dir) => resolve(base, dir)),
  }
}

/** A Kafka topic name as the broker accepts one. */
export function isTopicName(name: string): boolean {
  return /^[A-Za-z0-9._-]{1,249}$/.test(name) && name !== '.' && name !== '..'
}

function parseAudit(value: unknown, where: string): AuditConfig {
  const audit = value as Partial<AuditConfig> | null
  if (typeof audit !== 'object' || audit === null || Array.isArray(audit))
    throw new ConfigFileError(`${where} must be an object like {"topic": "runbook-audit"}`)
  if (typeof audit.topic !== 'string' || !isTopicName(audit.topic))
    throw new ConfigFileError(`${where}: "topic" must be a Kafka topic name (letters, digits, . _ -), not ${JSON.stringify(audit.topic)}`)
  if (audit.allowNoAudit !== undefined && typeof audit.allowNoAudit !== 'boolean') throw new ConfigFileError(`${where}: "allowNoAudit" must be true or false`)
  const unknown = Object.keys(audit).filter((key) => key !== 'topic' && key !== 'allowNoAudit')
  if (unknown.length > 0) throw new ConfigFileError(`${where}: unknown setting "${unknown[0]}" — it takes "topic" and "allowNoAudit"`)
  return { topic: audit.topic, allowNoAudit: audit.allowNoAudit ?? false }
}
