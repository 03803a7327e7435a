// Files an earlier session wrote (a salvage file, an exported plan), trusted only as far as that session's own
// record vouches for them: the transcript's hash chain verifies, a `file` event names the file, and the file on disk
// hashes to what that event recorded. Found by a path, a session folder, a session id, or among recent sessions.

import { existsSync, readdirSync, statSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { checkSession, type SessionCheck } from './verify-session.ts'

/** A file an earlier session wrote, as its verified transcript recorded it. */
export interface EarlierFile {
  readonly session: string
  readonly sessionDir: string
  readonly name: string
  readonly path: string
  /** The SHA-256 (hex) the transcript recorded for it; the file on disk has it. */
  readonly sha256: string
  readonly runbook: string
  /** The cluster the session ran against, as it said it was then. */
  readonly clusterId: string | null
  readonly clusterName: string | null
  readonly startedAt: string | null
}

export interface EarlierFileQuery {
  /** A file's path, a session folder, or a session id under the sessions folder; without it, recent sessions are searched. */
  readonly ref?: string
  /** Which of a session's recorded files are wanted. */
  readonly match: (name: string) => boolean
  /** Recent sessions searched when no ref is given (default 20). */
  readonly recent?: number
}

/** What was found, and why each session or file that looked like a match was not trusted (one line each). */
export interface EarlierFiles {
  readonly files: readonly EarlierFile[]
  readonly refused: readonly string[]
}

/** The last hash the transcript recorded for each file it wrote. */
function recordedFiles(check: SessionCheck): Map<string, string> {
  const files = new Map<string, string>()
  for (const event of check.events) if (event.type === 'file') files.set(event.name, event.sha256)
  return files
}

function filesOf(dir: string, match: (name: string) => boolean, only?: string): EarlierFiles {
  const check = checkSession(dir)
  const id = check.id
  const recorded = recordedFiles(check)
  // A search among recent sessions speaks only of sessions that hold a matching file.
  if (only === undefined && ![...recorded.keys()].some(match)) return { files: [], refused: [] }
  if (check.chainBreak) return { files: [], refused: [`session ${id}: its transcript does not verify (${check.chainBreak.why})`] }
  if (!check.start) return { files: [], refused: [`session ${id}: its transcript does not begin with the session start`] }
  if (only !== undefined && !recorded.has(only)) return { files: [], refused: [`${join(dir, only)}: session ${id}'s transcript records no file of that name`] }
  const files: EarlierFile[] = []
  const refused: string[] = []
  for (const [name, sha256] of recorded) {
    if (only !== undefined ? name !== only : !match(name)) continue
    const state = check.files.find((f) => f.name === name)?.state
    if (state !== 'ok') {
      refused.push(
        state === 'missing'
          ? `${join(dir, name)} is missing: session ${id} recorded it, and it is gone`
          : `${join(dir, name)} is not what session ${id}'s transcript recorded: it was changed after it was written`,
      )
      continue
    }
    files.push({
      session: id,
      sessionDir: dir,
      name,
      path: join(dir, name),
      sha256,
      runbook: check.start.runbook,
      clusterId: check.start.cluster?.clusterId ?? null,
      clusterName: check.start.cluster?.name ?? null,
      startedAt: check.start.at ?? null,
    })
  }
  return { files, refused }
}

const isSession = (dir: string) => existsSync(join(dir, 'events.jsonl'))

/** Earlier sessions' files, each vouched for by its own verified transcript; `exclude` is the running session. */
export function findEarlierFiles(sessionsDir: string, query: EarlierFileQuery, exclude: string): EarlierFiles {
  const ref = query.ref?.trim()
  if (ref) {
    const asPath = resolve(ref)
    if (existsSync(asPath) && statSync(asPath).isFile()) {
      if (!isSession(dirname(asPath)))
        return { files: [], refused: [`${ref} is not in a session folder (no events.jsonl beside it): only a file a session recorded can be trusted`] }
      return filesOf(dirname(asPath), query.match, basename(asPath))
    }
    const dir = existsSync(asPath) && isSession(asPath) ? asPath : join(sessionsDir, ref)
    if (!isSession(dir))
      return { files: [], refused: [`${ref} is neither a file, a session folder, nor a session in ${sessionsDir} (runbook sessions lists them)`] }
    const found = filesOf(dir, query.match)
    if (found.files.length === 0 && found.refused.length === 0) return { files: [], refused: [`session ${basename(dir)} recorded no such file`] }
    return found
  }
  if (!existsSync(sessionsDir)) return { files: [], refused: [] }
  const recent = readdirSync(sessionsDir)
    .filter((name) => name !== exclude && isSession(join(sessionsDir, name)))
    .sort()
    .reverse()
    .slice(0, query.recent ?? 20)
  const found = recent.map((name) => filesOf(join(sessionsDir, name), query.match))
  return { files: found.flatMap((f) => f.files), refused: found.flatMap((f) => f.refused) }
}
