// Placeholder: replaced by the issue that builds `runbook undo`.
import type { Command } from './command.ts'
import { ExitCode } from './exit-codes.ts'

export const command: Command = {
  name: 'undo',
  summary: '',
  help: 'runbook undo: not built yet',
  options: {},
  async run(_args, env) {
    env.stderr.write('runbook undo: not built yet\n')
    return ExitCode.failed
  },
}
