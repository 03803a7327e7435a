// Finds the Java that runs Kafka: $JAVA_HOME/bin/java, else `java` on PATH; Kafka 4.x and this
// project need 17 or newer.

import { execFile } from 'node:child_process'
import { existsSync, readFileSync, realpathSync } from 'node:fs'
import { delimiter, dirname, join, sep } from 'node:path'
import { SandboxError } from './errors.ts'

export interface JavaRuntime {
  readonly executable: string
  readonly version: string
  readonly major: number
}

const howToGetJava =
  'install a JDK 17+ (Debian/Ubuntu: apt-get install openjdk-17-jre-headless; macOS: brew install openjdk@17; or https://adoptium.net) and put it on PATH or set JAVA_HOME'

const found = new Map<string, Promise<JavaRuntime>>()

/** The Java runtime to use, checked once per process; a one-line SandboxError when missing or older than 17. */
export function findJava(env: NodeJS.ProcessEnv): Promise<JavaRuntime> {
  const executable = env.JAVA_HOME ? join(env.JAVA_HOME, 'bin', 'java') : 'java'
  let runtime = found.get(executable)
  if (!runtime) {
    runtime = probeJava(executable, env)
    found.set(executable, runtime)
    runtime.catch(() => found.delete(executable))
  }
  return runtime
}

/** Where `executable` would run from: itself when it is a path, else the first match on PATH. */
function locate(executable: string, env: NodeJS.ProcessEnv): string | null {
  if (executable.includes(sep)) return existsSync(executable) ? executable : null
  for (const dir of (env.PATH ?? '').split(delimiter)) if (dir && existsSync(join(dir, executable))) return join(dir, executable)
  return null
}

/**
 * The version a Java installation declares in its `release` file (JDKs and JREs have one beside bin/), read
 * without starting a JVM: `java -version` costs a JVM start, ~0.2 s (a second on a busy machine) of every `up`.
 */
function releaseVersion(executable: string, env: NodeJS.ProcessEnv): { version: string; major: number } | null {
  const found = locate(executable, env)
  if (!found) return null
  try {
    const home = dirname(dirname(realpathSync(found)))
    return parseJavaVersion(`version "${/^JAVA_VERSION="([^"]+)"/m.exec(readFileSync(join(home, 'release'), 'utf8'))?.[1] ?? ''}"`)
  } catch {
    return null
  }
}

async function probeJava(executable: string, env: NodeJS.ProcessEnv): Promise<JavaRuntime> {
  if (env.JAVA_HOME && !existsSync(executable)) {
    throw new SandboxError(`JAVA_HOME is ${env.JAVA_HOME} but ${executable} does not exist — fix JAVA_HOME, or ${howToGetJava}`, 2)
  }
  const declared = releaseVersion(executable, env)
  if (declared && declared.major >= 17) return { executable, ...declared }
  const output = await new Promise<string>((resolve, reject) => {
    execFile(executable, ['-version'], { timeout: 20_000, env }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT')
        reject(new SandboxError(`Java not found: Kafka needs Java 17 or newer — ${howToGetJava}`, 2))
      else if (error) reject(new SandboxError(`\`${executable} -version\` failed (${error.message.split('\n')[0]}) — ${howToGetJava}`, 2))
      else resolve(`${stderr}\n${stdout}`)
    })
  })
  const version = parseJavaVersion(output)
  if (!version) throw new SandboxError(`cannot tell the version of ${executable} from \`java -version\` — ${howToGetJava}`, 2)
  if (version.major < 17) {
    throw new SandboxError(`Kafka needs Java 17 or newer, found ${version.version} at ${executable} — ${howToGetJava}`, 2)
  }
  return { executable, ...version }
}

/** `java -version` output → its version and major number; "1.8.0_392" counts as 8. */
export function parseJavaVersion(output: string): { version: string; major: number } | null {
  const match = /version "([^"]+)"/.exec(output)
  if (!match) return null
  const version = match[1]!
  const parts = version.split(/[.+_-]/)
  const major = parts[0] === '1' ? Number(parts[1]) : Number(parts[0])
  return Number.isFinite(major) ? { version, major } : null
}
