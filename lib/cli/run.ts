// Placeholder: replaced by the issue that builds `runbook run`.
import type { Command } from './command.ts'
import { ExitCode } from './exit-codes.ts'

export const command: Command = {
  name: 'run',
  summary: '',
  help: 'runbook run: not built yet',
  options: {},
  async run(_args, env) {
    env.stderr.write('runbook run: not built yet\n')
    return ExitCode.failed
  },
}
