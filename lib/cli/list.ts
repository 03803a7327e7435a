// Placeholder: replaced by the issue that builds `runbook list`.
import type { Command } from './command.ts'
import { ExitCode } from './exit-codes.ts'

export const command: Command = {
  name: 'list',
  summary: '',
  help: 'runbook list: not built yet',
  options: {},
  async run(_args, env) {
    env.stderr.write('runbook list: not built yet\n')
    return ExitCode.failed
  },
}
