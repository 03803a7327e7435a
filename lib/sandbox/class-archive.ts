// A class-data-sharing archive per Kafka tool: the first run of a tool writes the classes it loaded to a file at
// exit, later runs map that file instead of loading and verifying the classes again. A kafka-topics run then
// costs about half the CPU (2.2 s → 1.1 s measured on this project's 2-core machine), and tests and drills run
// Kafka's tools hundreds of times. The JVM checks the file against the classpath and itself and silently runs
// without it when anything differs, so a stale file costs speed, never a different answer.

import { createHash } from 'node:crypto'
import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { delimiter, dirname, join } from 'node:path'

export interface ClassArchive {
  /** JVM options: map the archive, or write one at exit. */
  readonly jvmOptions: readonly string[]
  /** Extra time this run may take: writing the archive at exit took 7–10 s beside a 5 s tool at load 16–19. */
  readonly extraMs: number
  /** Called when the JVM exited: keeps a written archive only after a clean exit. */
  settle(exitCode: number | null): void
}

/** How much longer the run that writes the archive may take than the caller's bound (once per tool and machine). */
const writeBoundMs = 60_000

/** CDS's own messages go to stdout by default, where the tool's answer is read: never print them. */
const quiet = ['-Xlog:cds=off', '-Xlog:cds+dynamic=off']

/**
 * The archive for one main class on one classpath and JVM. Its name carries a digest of everything the JVM
 * checks (the java executable and version, the classpath with each jar's size and time, the options), so a new
 * JDK or a changed jar makes a new archive instead of reusing one the JVM would refuse.
 */
export function classArchive(
  dir: string,
  parts: { java: string; javaVersion: string; classpath: string; mainClass: string; jvm: readonly string[] },
): ClassArchive {
  const digest = createHash('sha256')
  for (const part of [parts.java, parts.javaVersion, parts.mainClass, ...parts.jvm]) digest.update(`${part}\0`)
  for (const jar of parts.classpath.split(delimiter).flatMap(jarsOf)) {
    const stat = statSync(jar, { throwIfNoEntry: false })
    digest.update(`${jar}\0${stat?.size ?? -1}\0${stat?.mtimeMs ?? -1}\0`)
  }
  const file = join(dir, `${parts.mainClass.split('.').pop()}-${digest.digest('hex').slice(0, 16)}.jsa`)
  if (statSync(file, { throwIfNoEntry: false })?.isFile()) return { jvmOptions: [...quiet, `-XX:SharedArchiveFile=${file}`], extraMs: 0, settle: () => {} }
  // Written under a name of its own and renamed when complete: two first runs at once never share a half-written file.
  const pending = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
  try {
    mkdirSync(dirname(file), { recursive: true })
  } catch {
    return { jvmOptions: [], extraMs: 0, settle: () => {} }
  }
  return {
    jvmOptions: [...quiet, `-XX:ArchiveClassesAtExit=${pending}`],
    extraMs: writeBoundMs,
    settle(exitCode) {
      try {
        if (exitCode === 0 && statSync(pending, { throwIfNoEntry: false })?.isFile()) renameSync(pending, file)
      } catch {
        // another run's archive already stands there, or the folder is read-only: this run just saved nothing
      } finally {
        rmSync(pending, { force: true })
      }
    },
  }
}

/** A classpath entry's jars: `dir/*` (how the sandbox names its jar folder) stands for every jar in dir. */
function jarsOf(entry: string): string[] {
  if (!entry.endsWith('*')) return [entry]
  const dir = dirname(entry)
  try {
    return readdirSync(dir)
      .filter((name) => name.endsWith('.jar'))
      .sort()
      .map((name) => join(dir, name))
  } catch {
    return [entry]
  }
}
