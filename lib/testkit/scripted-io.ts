// An Io for tests: plays a script of answers in order and fails loudly on any prompt it was not told about,
// so a test states exactly what the operator is asked. Everything shown is kept as plain text.

import type { Block } from '../engine/blocks.ts'
import type { Io, SelectChoice } from '../engine/io.ts'
import { renderBlocks } from '../terminal/render.ts'

export type ScriptStep =
  | { readonly select: string; readonly message?: RegExp }
  | { readonly input: string; readonly message?: RegExp }
  | { readonly confirm: boolean; readonly message?: RegExp }
  | { readonly type: string; readonly message?: RegExp }
  /** The operator presses Ctrl-C at this prompt. */
  | { readonly interrupt: true; readonly message?: RegExp }

export interface ScriptedIo extends Io {
  /** Everything shown so far, rendered without colour. */
  readonly screen: () => string
  /** The prompts asked, in order, with what the script answered. */
  readonly asked: { kind: string; message: string; choices?: readonly SelectChoice[] }[]
  /** Steps the run did not reach. */
  readonly remaining: () => number
  /** Runs `fn` before the next prompt is answered (to change the cluster between plan and confirm). */
  beforeNextPrompt(fn: () => void | Promise<void>): void
}

export function scriptedIo(script: readonly ScriptStep[], options: { interactive?: boolean } = {}): ScriptedIo {
  const steps = [...script]
  const shown: Block[][] = []
  const asked: ScriptedIo['asked'] = []
  let hook: (() => void | Promise<void>) | undefined

  const next = async (kind: string, message: string, choices?: readonly SelectChoice[]) => {
    asked.push({ kind, message, ...(choices ? { choices } : {}) })
    if (hook) {
      const run = hook
      hook = undefined
      await run()
    }
    const step = steps.shift()
    if (!step) throw new Error(`unscripted ${kind} prompt: "${message}"`)
    if (step.message && !step.message.test(message)) throw new Error(`prompt "${message}" does not match ${step.message}`)
    if ('interrupt' in step) {
      const error = new Error('User force closed the prompt with SIGINT')
      error.name = 'ExitPromptError'
      throw error
    }
    return step
  }

  return {
    interactive: options.interactive ?? true,
    show: (blocks) => void shown.push([...blocks]),
    progress: (_label, work) => work(),
    async select(q) {
      const step = await next('select', q.message, q.choices)
      if (!('select' in step)) throw new Error(`expected a ${Object.keys(step)[0]} step, got a select prompt "${q.message}"`)
      const choice = q.choices.find((c) => c.value === step.select)
      if (!choice) throw new Error(`"${step.select}" is not among the choices ${q.choices.map((c) => c.value).join(', ')}`)
      if (choice.disabled) throw new Error(`"${step.select}" is disabled: ${choice.disabled}`)
      return step.select
    },
    async input(q) {
      const step = await next('input', q.message)
      if (!('input' in step)) throw new Error(`expected a ${Object.keys(step)[0]} step, got an input prompt "${q.message}"`)
      const valid = q.validate?.(step.input) ?? true
      if (valid !== true) throw new Error(`input "${step.input}" rejected by validation: ${valid}`)
      return step.input
    },
    async confirm(q) {
      const step = await next('confirm', q.message)
      if (!('confirm' in step)) throw new Error(`expected a ${Object.keys(step)[0]} step, got a confirm prompt "${q.message}"`)
      return step.confirm
    },
    async typed(q) {
      const step = await next('typed', q.message)
      if (!('type' in step)) throw new Error(`expected a ${Object.keys(step)[0]} step, got a typed confirmation "${q.message}"`)
      return step.type === q.expected
    },
    screen: () => shown.map((blocks) => renderBlocks(blocks, { color: false, width: 100 })).join('\n\n'),
    asked,
    remaining: () => steps.length,
    beforeNextPrompt(fn) {
      hook = fn
    },
  }
}
