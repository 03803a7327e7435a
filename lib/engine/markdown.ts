// Blocks → GitHub-flavoured Markdown, for the notebook a run leaves behind (pasteable into an incident channel).

import type { Block, Cell } from './blocks.ts'
import { formatCount, withoutEmptyColumns } from './blocks.ts'

const noticeLabel = { info: 'Note', ok: 'OK', warn: 'Warning', danger: 'Danger' } as const

export function blocksToMarkdown(blocks: readonly Block[]): string {
  return blocks.map(blockToMarkdown).join('\n\n')
}

export function blockToMarkdown(block: Block): string {
  switch (block.kind) {
    case 'markdown':
      return block.text.trim()
    case 'notice':
      return `> **${noticeLabel[block.level]}:** ${block.text.replace(/\n/g, '\n> ')}`
    case 'code':
      return '```' + (block.language ?? '') + '\n' + block.text + '\n```'
    case 'screen-only':
      return blockToMarkdown({ kind: 'notice', level: 'info', text: block.recorded })
    case 'facts': {
      const lines = block.items.map(([label, value]) => `- **${escapeInline(label)}:** ${value}`)
      return (block.title ? `**${escapeInline(block.title)}**\n\n` : '') + lines.join('\n')
    }
    case 'table':
      return tableToMarkdown(withoutEmptyColumns(block))
  }
}

function tableToMarkdown(block: Extract<Block, { kind: 'table' }>): string {
  const head = `| ${block.columns.map(escapeCell).join(' | ')} |`
  const rule = `| ${block.columns.map((_, i) => (alignOf(block, i) === 'right' ? '---:' : '---')).join(' | ')} |`
  const rows = block.rows.map((row) => `| ${block.columns.map((_, i) => escapeCell(cellText(row[i] ?? null))).join(' | ')} |`)
  const parts = [block.title ? `**${escapeInline(block.title)}**\n` : '', [head, rule, ...rows].join('\n')]
  if (block.footer) parts.push(`\n${block.footer}`)
  return parts.join('\n').trim()
}

function alignOf(block: Extract<Block, { kind: 'table' }>, column: number): 'left' | 'right' {
  return block.align?.[column] ?? (block.rows.some((r) => typeof r[column] === 'number' || typeof r[column] === 'bigint') ? 'right' : 'left')
}

function cellText(value: Cell): string {
  if (value === null) return '–'
  if (typeof value === 'number' || typeof value === 'bigint') return formatCount(value)
  return value
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, '<br>')
}

function escapeInline(text: string): string {
  return text.replace(/([*_`])/g, '\\$1')
}
