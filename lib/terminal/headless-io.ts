// The Io of a headless run: shows blocks as plain text (or nothing, when the caller wants JSON only) and
// refuses to prompt — the engine must have every answer before it asks.

import type { Block } from '../engine/blocks.ts'
import { PromptInHeadlessRun, type Io } from '../engine/io.ts'
import { renderBlocks, type RenderOptions } from './render.ts'

export function headlessIo(output: NodeJS.WritableStream | null, render: RenderOptions): Io {
  const refuse = (what: string) => Promise.reject(new PromptInHeadlessRun(what))
  return {
    interactive: false,
    show(blocks: readonly Block[]) {
      if (output && blocks.length > 0) output.write(renderBlocks(blocks, render) + '\n\n')
    },
    progress: (_label, work) => work(),
    select: (q) => refuse(q.message),
    input: (q) => refuse(q.message),
    confirm: (q) => refuse(q.message),
    typed: (q) => refuse(q.message),
  }
}
