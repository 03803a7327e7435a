// Entry point of `runbook`: picks the subcommand, parses its flags, and turns every way a run can end
// into one exit code and, for a person, one line.

import type { Command, CommandEnv } from './command.ts'
import { parseCommonArgs } from './common-args.ts'
import { ExitCode } from '../engine/exit-codes.ts'
import { describeFailure, failureJson } from './failure.ts'
import { packageVersion } from './package-version.ts'

/** Subcommands, loaded on demand so that `--help`, `list` and `show` never import the Kafka client. */
const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  run: { summary: 'run a runbook: guided, headless (--yes / --approve) or --dry-run', load: async () => (await import('./run.ts')).command },
  list: { summary: 'list the runbooks', load: async () => (await import('./list.ts')).command },
  show: { summary: 'print a runbook as a notebook, without a cluster', load: async () => (await import('./show.ts')).command },
  status: { summary: 'what is wrong with the cluster right now, and which runbook fits', load: async () => (await import('./status.ts')).command },
  undo: { summary: 'restore what a session changed, after re-checking the cluster', load: async () => (await import('./undo.ts')).command },
  sessions: { summary: 'list recorded sessions (transcripts and undo records)', load: async () => (await import('./sessions.ts')).command },
  verify: { summary: 'check that a session’s record (transcript, undo records) was not altered', load: async () => (await import('./verify.ts')).command },
  sandbox: {
    summary: 'a local Kafka cluster for drills and tests: up, down, status, logs, kill, stop, pause, resume, start',
    load: async () => (await import('./sandbox.ts')).command,
  },
  new: { summary: 'write a starting runbook and its test (your team’s own runbooks)', load: async () => (await import('./new.ts')).command },
  drill: { summary: 'break the sandbox the way real incidents do, run the runbook, get scored', load: async () => (await import('./drill.ts')).command },
}

const globalHelp = () =>
  [
    'runbook — guided incident runbooks for Apache Kafka',
    '',
    'Usage: runbook [command] [options]',
    '',
    'Commands:',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`),
    '',
    'With no command, lists the runbooks and lets you pick one (on a terminal).',
    'Global options: --help, --version, --debug (stack traces), NO_COLOR=1 (plain output).',
    'Run `runbook <command> --help` for the options of one command.',
  ].join('\n')

/** Runs the CLI with the given argv (without node and script) and returns the exit code. */
export async function main(argv: readonly string[], env: CommandEnv): Promise<number> {
  const debug = argv.includes('--debug')
  const first = argv[0]
  if (first === undefined) {
    if (env.stdin.isTTY && env.stdout.isTTY) return runCommand('run', [], env, debug)
    env.stdout.write(globalHelp() + '\n')
    return ExitCode.done
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    env.stdout.write(globalHelp() + '\n')
    return ExitCode.done
  }
  if (first === '--version' || first === '-v') {
    env.stdout.write(`${await packageVersion()}\n`)
    return ExitCode.done
  }
  if (!(first in commands)) {
    env.stderr.write(`runbook: unknown command "${first}" — run \`runbook --help\` for the list\n`)
    return ExitCode.refused
  }
  return runCommand(first, argv.slice(1), env, debug)
}

async function runCommand(name: string, rest: readonly string[], env: CommandEnv, debug: boolean): Promise<number> {
  try {
    const command = await commands[name]!.load()
    if (rest.includes('--help') || rest.includes('-h')) {
      env.stdout.write(command.help.trimEnd() + '\n')
      return ExitCode.done
    }
    const options = { ...command.options, debug: { type: 'boolean' as const } }
    // node:util loads only for what the common reader leaves to parseArgs (and parseArgs words the error); not
    // through import(), which in the CommonJS bundles would start Node's ES module loader.
    const parsed =
      parseCommonArgs(rest, options) ?? process.getBuiltinModule('node:util').parseArgs({ args: [...rest], options, allowPositionals: true, strict: true })
    return await command.run({ ...parsed, raw: rest }, env)
  } catch (error) {
    const failure = describeFailure(error, { debug, command: name })
    env.stderr.write(failure.text + '\n')
    if (rest.includes('--json')) env.stdout.write(failureJson(error, failure, name) + '\n')
    return failure.exitCode
  }
}
