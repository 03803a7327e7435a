// Placeholder: replaced by the issue that builds `runbook sessions`.
import type { Command } from './command.ts'
import { ExitCode } from './exit-codes.ts'

export const command: Command = {
  name: 'sessions',
  summary: '',
  help: 'runbook sessions: not built yet',
  options: {},
  async run(_args, env) {
    env.stderr.write('runbook sessions: not built yet\n')
    return ExitCode.failed
  },
}
