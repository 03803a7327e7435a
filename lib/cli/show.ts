// Placeholder: replaced by the issue that builds `runbook show`.
import type { Command } from './command.ts'
import { ExitCode } from './exit-codes.ts'

export const command: Command = {
  name: 'show',
  summary: '',
  help: 'runbook show: not built yet',
  options: {},
  async run(_args, env) {
    env.stderr.write('runbook show: not built yet\n')
    return ExitCode.failed
  },
}
