// The optional project or user config file: named cluster profiles, where sessions go, extra runbook folders.
// Looked up as ./runbook.config.json, then $XDG_CONFIG_HOME/runbook/config.json (~/.config/runbook/config.json).

import { readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { ExitCode } from '../engine/exit-codes.ts'

export interface Profile {
  /** host:port[,host:port…] */
  readonly bootstrapServer: string
  /** A client.properties for TLS / SASL, relative to the config file. */
  readonly commandConfig?: string
}

export interface RunbookConfig {
  readonly path: string | null
  readonly profiles: Readonly<Record<string, Profile>>
  readonly defaultProfile?: string
  /** Where session transcripts go; relative to the working directory. */
  readonly sessionsDir?: string
  /** Extra folders with the team's own runbooks, relative to the config file. */
  readonly runbooks: readonly string[]
}

export class ConfigFileError extends Error {
  readonly exitCode = ExitCode.refused
}

export function configFileCandidates(cwd: string, env: NodeJS.ProcessEnv): string[] {
  const configHome = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config')
  return [join(cwd, 'runbook.config.json'), join(configHome, 'runbook', 'config.json')]
}

/** The first config file that exists, parsed and checked; an empty config when there is none. */
export function loadConfig(cwd: string, env: NodeJS.ProcessEnv, explicitPath?: string): RunbookConfig {
  const candidates = explicitPath ? [resolve(cwd, explicitPath)] : configFileCandidates(cwd, env)
  for (const path of candidates) {
    let text: string
    try {
      text = readFileSync(path, 'utf8')
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
    if (!profile || typeof profile.bootstrapServer !== 'string' || profile.bootstrapServer === '') {
      throw new ConfigFileError(`${path}: profile "${name}" needs a "bootstrapServer" (host:port[,host:port…])`)
    }
    if (profile.commandConfig !== undefined && typeof profile.commandConfig !== 'string') {
      throw new ConfigFileError(`${path}: profile "${name}": "commandConfig" must be a path`)
    }
    profiles[name] = {
      bootstrapServer: profile.bootstrapServer,
      ...(profile.commandConfig ? { commandConfig: resolve(base, profile.commandConfig) } : {}),
    }
  }
  const runbooks = object.runbooks ?? []
  if (!Array.isArray(runbooks) || runbooks.some((r) => typeof r !== 'string')) throw new ConfigFileError(`${path}: "runbooks" must be a list of folders`)
  if (object.defaultProfile !== undefined && (typeof object.defaultProfile !== 'string' || !(object.defaultProfile in profiles))) {
    throw new ConfigFileError(`${path}: "defaultProfile" must name one of the profiles`)
  }
  if (object.sessionsDir !== undefined && typeof object.sessionsDir !== 'string') throw new ConfigFileError(`${path}: "sessionsDir" must be a path`)
  return {
    path,
    profiles,
    ...(object.defaultProfile ? { defaultProfile: object.defaultProfile as string } : {}),
    ...(object.sessionsDir ? { sessionsDir: object.sessionsDir as string } : {}),
    runbooks: (runbooks as string[]).map((dir) => resolve(base, dir)),
  }
}
