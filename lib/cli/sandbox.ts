// Placeholder: replaced by the issue that builds `runbook sandbox`.
import type { Command } from './command.ts'
import { ExitCode } from './exit-codes.ts'

export const command: Command = {
  name: 'sandbox',
  summary: '',
  help: 'runbook sandbox: not built yet',
  options: {},
  async run(_args, env) {
    env.stderr.write('runbook sandbox: not built yet\n')
    return ExitCode.failed
  },
}
