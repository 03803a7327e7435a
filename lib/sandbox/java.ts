// Finds the Java that runs Kafka: $JAVA_HOME/bin/java, else `java` on PATH; Kafka 4.x and this
// project need 17 or newer.

import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
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

async function probeJava(executable: string, env: NodeJS.ProcessEnv): Promise<JavaRuntime> {
  if (env.JAVA_HOME && !existsSync(executable)) {
    throw new SandboxError(`JAVA_HOME is ${env.JAVA_HOME} but ${executable} does not exist — fix JAVA_HOME, or ${howToGetJava}`, 2)
  }
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
