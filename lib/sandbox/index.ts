// Placeholder until the sandbox lands (issue 3): the public door of lib/sandbox.

/** host:port list of a running, healthy local sandbox, or null when none is running. */
export async function runningSandboxBootstrap(_options: { env: NodeJS.ProcessEnv }): Promise<string | null> {
  return null
}
