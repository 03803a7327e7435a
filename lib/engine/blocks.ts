// What a cell shows: a few block kinds that render both to the terminal and to the Markdown notebook,
// so the screen and the transcript can never say different things.

export type Cell = string | number | bigint | null

export type Block =
  | { readonly kind: 'markdown'; readonly text: string }
  | {
      readonly kind: 'table'
      readonly title?: string
      readonly columns: readonly string[]
      readonly rows: readonly (readonly Cell[])[]
      /** Per column; numbers and bigints default to right. */
      readonly align?: readonly ('left' | 'right')[]
      /** A closing line under the table (totals, "and 1,204 more"). */
      readonly footer?: string
    }
  | { readonly kind: 'facts'; readonly title?: string; readonly items: readonly (readonly [label: string, value: string])[] }
  | { readonly kind: 'notice'; readonly level: 'info' | 'ok' | 'warn' | 'danger'; readonly text: string }
  | {
      readonly kind: 'code'
      readonly text: string
      readonly language?: string
      /** On a terminal: each line cut into screen-wide pieces, at most this many lines in all, the cut marked with …. */
      readonly fit?: number
    }
  /**
   * Shown on the screen, never written down: the transcript, the notebook and --json get `recorded` instead (a
   * record's payload may hold personal data; the operator sees it, the files that outlive the incident do not).
   */
  | { readonly kind: 'screen-only'; readonly blocks: readonly Block[]; readonly recorded: string }

export const markdown = (text: string): Block => ({ kind: 'markdown', text })
export const notice = (level: 'info' | 'ok' | 'warn' | 'danger', text: string): Block => ({ kind: 'notice', level, text })
export const facts = (items: readonly (readonly [string, string])[], title?: string): Block =>
  title === undefined ? { kind: 'facts', items } : { kind: 'facts', title, items }
export const code = (text: string, language?: string): Block => (language === undefined ? { kind: 'code', text } : { kind: 'code', text, language })
/** Blocks for the operator's eyes only: what is written down is the one line `recorded`. */
export const onScreenOnly = (blocks: readonly Block[], recorded: string): Block => ({ kind: 'screen-only', blocks, recorded })

/** The blocks as they may be written down: each screen-only block becomes its `recorded` line. */
export function recordable(blocks: readonly Block[]): readonly Block[] {
  return blocks.some((b) => b.kind === 'screen-only') ? blocks.map((b) => (b.kind === 'screen-only' ? notice('info', b.recorded) : b)) : blocks
}

export function table(
  columns: readonly string[],
  rows: readonly (readonly Cell[])[],
  extra: { title?: string; footer?: string; align?: readonly ('left' | 'right')[] } = {},
): Block {
  return { kind: 'table', columns, rows, ...extra }
}

// Counts and times are worded by lib/format; runbooks take them from here with the other blocks.
export { agree, counted, formatCount } from '../format/counts.ts'
export { formatSeconds, iso } from '../format/time.ts'

/** A table without the columns that have neither a header nor a value in any row (an optional notes column). */
export function withoutEmptyColumns(block: Extract<Block, { kind: 'table' }>): Extract<Block, { kind: 'table' }> {
  const isEmpty = (value: Cell | undefined) => value === undefined || value === null || value === ''
  const keep = block.columns.map((column, i) => column !== '' || block.rows.some((row) => !isEmpty(row[i])))
  if (keep.every(Boolean)) return block
  const pick = <T>(values: readonly T[]) => values.filter((_, i) => keep[i])
  return { ...block, columns: pick(block.columns), rows: block.rows.map((row) => pick(row)), ...(block.align ? { align: pick(block.align) } : {}) }
}
