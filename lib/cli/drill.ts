// Placeholder: replaced by the issue that builds `runbook drill`.
import type { Command } from './command.ts'
import { ExitCode } from './exit-codes.ts'

export const command: Command = {
  name: 'drill',
  summary: '',
  help: 'runbook drill: not built yet',
  options: {},
  async run(_args, env) {
    env.stderr.write('runbook drill: not built yet\n')
    return ExitCode.failed
  },
}
