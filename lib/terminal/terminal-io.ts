// The Io of a person at a terminal: Inquirer prompts and an ora spinner on the given streams, blocks rendered
// in colour when the terminal allows it. Ctrl-C at a prompt surfaces as Inquirer's ExitPromptError.

import { confirm, input, select } from '@inquirer/prompts'
import ora, { type Ora } from 'ora'
import type { Block } from '../engine/blocks.ts'
import type { Io, SelectChoice } from '../engine/io.ts'
import { renderBlocks, type RenderOptions } from './render.ts'

export interface TerminalStreams {
  readonly input: NodeJS.ReadableStream
  readonly output: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }
  readonly signal?: AbortSignal
}

/** Builds the select prompt's config: a pure function, so its screen can be tested with @inquirer/testing. */
export function selectConfig(question: { message: string; choices: readonly SelectChoice[]; default?: string }) {
  return {
    message: question.message,
    choices: question.choices.map((c) => ({
      value: c.value,
      name: c.name,
      ...(c.description ? { description: c.description } : {}),
      ...(c.disabled ? { disabled: `(${c.disabled})` } : {}),
    })),
    ...(question.default ? { default: question.default } : {}),
    pageSize: 12,
    loop: false,
  }
}

/** The typed confirmation: the operator must type exactly what is at stake (a group id, a count). */
export function typedConfig(question: { message: string; expected: string }) {
  return {
    message: `${question.message}\n  Type ${question.expected} to confirm (anything else cancels):`,
    theme: { prefix: '!' },
  }
}

export function terminalIo(streams: TerminalStreams, render: RenderOptions): Io {
  const context = { input: streams.input, output: streams.output, ...(streams.signal ? { signal: streams.signal } : {}), clearPromptOnDone: false }
  const write = (text: string) => streams.output.write(text + '\n')
  // One spinner on screen at a time: a prompt (a parameter asked inside a query) or a nested read pauses the
  // spinner that is running, and it resumes once they are done.
  const spinners: Ora[] = []
  const paused = async <T>(work: () => Promise<T>): Promise<T> => {
    const current = spinners.at(-1)
    const wasSpinning = current?.isSpinning ?? false
    if (wasSpinning) current!.stop()
    try {
      return await work()
    } finally {
      if (wasSpinning && spinners.at(-1) === current) current!.start()
    }
  }
  return {
    interactive: true,
    show(blocks: readonly Block[]) {
      if (blocks.length === 0) return
      const current = spinners.at(-1)
      const wasSpinning = current?.isSpinning ?? false
      if (wasSpinning) current!.stop()
      write('\n' + renderBlocks(blocks, render))
      if (wasSpinning) current!.start()
    },
    progress: (label, work) =>
      paused(async () => {
        const spinner = ora({
          text: label,
          stream: streams.output as NodeJS.WriteStream,
          isEnabled: streams.output.isTTY === true,
          discardStdin: false,
        }).start()
        spinners.push(spinner)
        try {
          return await work()
        } finally {
          spinner.stop()
          spinners.pop()
        }
      }),
    select: (question) => paused(() => select(selectConfig(question), context)),
    input: (question) =>
      paused(() =>
        input(
          {
            message: question.message,
            ...(question.default !== undefined ? { default: question.default } : {}),
            ...(question.validate ? { validate: question.validate } : {}),
          },
          context,
        ),
      ),
    confirm: (question) => paused(() => confirm({ message: question.message, default: question.default ?? false }, context)),
    typed: (question) => paused(async () => (await input(typedConfig(question), context)).trim() === question.expected),
  }
}
