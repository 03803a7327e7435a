// The JDK's keytool, for the one store format only Java writes: JKS. The sandbox already needs a JDK to run
// Kafka; keytool sits beside its java.

import { execFile } from 'node:child_process'
import { accessSync, constants, realpathSync } from 'node:fs'
import { delimiter, dirname, isAbsolute, join } from 'node:path'
import { SandboxError } from './errors.ts'
import type { JavaRuntime } from './java.ts'

/** keytool of the same JDK as `java` (its bin folder, following symlinks such as /usr/bin/java). */
export function keytoolPath(java: JavaRuntime, env: NodeJS.ProcessEnv): string {
  const executable = isAbsolute(java.executable) ? java.executable : onPath(java.executable, env)
  const candidates = [join(dirname(executable), 'keytool')]
  try {
    candidates.unshift(join(dirname(realpathSync(executable)), 'keytool'))
  } catch {
    // not resolvable: try the unresolved folder
  }
  const found = candidates.find(isExecutable)
  if (!found) throw new SandboxError(`keytool not found beside ${executable} — install a full JDK 17+ (it ships keytool) or set JAVA_HOME to one`, 2)
  return found
}

/** Runs keytool; a failure is one line with keytool's own reason. */
export function runKeytool(keytool: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(keytool, ['-J-Xmx64m', '-J-XX:TieredStopAtLevel=1', '-J-XX:+UseSerialGC', ...args], { timeout: 60_000, env }, (error, stdout, stderr) => {
      if (!error) return resolve()
      const reason = `${stderr}\n${stdout}`.split('\n').find((line) => /error|exception/i.test(line)) ?? error.message.split('\n')[0]
      reject(new SandboxError(`keytool ${args[0]} failed: ${reason?.trim()}`, 1, { cause: error }))
    })
  })
}

/** A JKS trust store holding one CA certificate (PEM file) under `alias`. */
export function writeJksTrustStore(
  keytool: string,
  options: { caFile: string; out: string; password: string; alias: string },
  env: NodeJS.ProcessEnv,
): Promise<void> {
  return runKeytool(
    keytool,
    [
      '-importcert',
      '-noprompt',
      '-alias',
      options.alias,
      '-file',
      options.caFile,
      '-keystore',
      options.out,
      '-storetype',
      'JKS',
      '-storepass',
      options.password,
    ],
    env,
  )
}

/** A JKS key store converted from a PKCS#12 one, its key protected by the store password (as keytool does by default). */
export function writeJksKeyStore(
  keytool: string,
  options: { p12: string; p12Password: string; out: string; password: string },
  env: NodeJS.ProcessEnv,
): Promise<void> {
  return runKeytool(
    keytool,
    [
      '-importkeystore',
      '-noprompt',
      '-srckeystore',
      options.p12,
      '-srcstoretype',
      'PKCS12',
      '-srcstorepass',
      options.p12Password,
      '-destkeystore',
      options.out,
      '-deststoretype',
      'JKS',
      '-deststorepass',
      options.password,
      '-destkeypass',
      options.password,
    ],
    env,
  )
}

function onPath(command: string, env: NodeJS.ProcessEnv): string {
  for (const folder of (env.PATH ?? '').split(delimiter)) {
    const candidate = join(folder, command)
    if (isExecutable(candidate)) return candidate
  }
  return command
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}
