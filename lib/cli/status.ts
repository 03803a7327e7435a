// Placeholder: replaced by the issue that builds `runbook status`.
import type { Command } from './command.ts'
import { ExitCode } from './exit-codes.ts'

export const command: Command = {
  name: 'status',
  summary: '',
  help: 'runbook status: not built yet',
  options: {},
  async run(_args, env) {
    env.stderr.write('runbook status: not built yet\n')
    return ExitCode.failed
  },
}
