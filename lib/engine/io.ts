// The engine never touches a terminal: it asks and shows through an Io. The terminal Io (lib/terminal) uses
// Inquirer and ora; headless runs and tests bring their own, so prompts are testable without a TTY.

import type { Block } from './blocks.ts'

export interface SelectChoice {
  readonly value: string
  readonly name: string
  readonly description?: string
  /** Shown but not selectable, with the reason. */
  readonly disabled?: string
}

export interface Io {
  /** True when a person can answer prompts. */
  readonly interactive: boolean
  show(blocks: readonly Block[]): void
  /** Runs read-only work with a spinner (on a terminal) labelled with what is being read. */
  progress<T>(label: string, work: () => Promise<T>): Promise<T>
  select(question: { readonly message: string; readonly choices: readonly SelectChoice[]; readonly default?: string }): Promise<string>
  input(question: { readonly message: string; readonly default?: string; readonly validate?: (text: string) => string | true }): Promise<string>
  confirm(question: { readonly message: string; readonly default?: boolean }): Promise<boolean>
  /** Asks the operator to type `expected`; true only for an exact match. */
  typed(question: { readonly message: string; readonly expected: string }): Promise<boolean>
}

/** Thrown when a headless run reaches a prompt: an engine bug, since headless runs must never ask. */
export class PromptInHeadlessRun extends Error {
  constructor(message: string) {
    super(`headless run tried to prompt: ${message}`)
    this.name = 'PromptInHeadlessRun'
  }
}
