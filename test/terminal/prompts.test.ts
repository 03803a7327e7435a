// Drives the real Inquirer prompts: their configs through @inquirer/testing, and a whole guided run through
// the terminal Io on in-memory streams, typing keys the way an operator would.

import { input, select } from '@inquirer/prompts'
import { render } from '@inquirer/testing'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough, Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { runRunbook } from '../../lib/engine/runner.ts'
import { selectConfig, terminalIo, typedConfig } from '../../lib/terminal/terminal-io.ts'
import retention from '../engine/fixtures/topic-retention.ts'
import { retentionCluster, retentionOf } from '../engine/retention-cluster.ts'

describe('prompt configs', () => {
  it('the typed confirmation names what to type and only returns what was typed', async () => {
    const { answer, events, getScreen } = await render(input, typedConfig({ message: 'Replay 4,180 messages for group billing?', expected: '4180' }))
    expect(getScreen()).toContain('Type 4180 to confirm (anything else cancels)')
    events.type('4180')
    events.keypress('enter')
    await expect(answer).resolves.toBe('4180')
  })

  it('the select shows costs as descriptions and skips unavailable options', async () => {
    const { answer, events, getScreen } = await render(
      select,
      selectConfig({
        message: 'What now?',
        choices: [
          { value: 'wait', name: 'Wait for broker 1', description: '3 partitions stay offline' },
          { value: 'elect', name: 'Elect broker 3', disabled: 'broker 3 is not a live replica' },
          { value: 'flag', name: 'Set the unclean flag' },
        ],
        default: 'wait',
      }),
    )
    expect(getScreen()).toContain('3 partitions stay offline')
    expect(getScreen()).toContain('(broker 3 is not a live replica)')
    events.keypress('down')
    events.keypress('enter')
    await expect(answer).resolves.toBe('flag')
  })
})

class Screen extends Writable {
  text = ''
  isTTY = true
  columns = 100
  override _write(chunk: Buffer, _enc: string, done: () => void) {
    this.text += chunk.toString()
    done()
  }
  // Inquirer pipes each prompt into the output and ends the pipe when the prompt is done; process.stdout
  // ignores end(), and so does this screen.
  override end(): this {
    return this
  }
  // What a TTY stream offers and ora's spinner uses.
  cursorTo(_x: number, _y?: number, cb?: () => void) {
    cb?.()
    return true
  }
  moveCursor(_dx: number, _dy: number, cb?: () => void) {
    cb?.()
    return true
  }
  clearLine(_dir: number, cb?: () => void) {
    cb?.()
    return true
  }
  clearScreenDown(cb?: () => void) {
    cb?.()
    return true
  }
  getWindowSize() {
    return [this.columns, 40]
  }
  plain() {
    // eslint-disable-next-line no-control-regex -- strip terminal control sequences to read the screen
    return this.text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '')
  }
}

async function waitFor(screen: Screen, text: string, from: number): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const at = screen.plain().indexOf(text, from)
    if (at !== -1) return at + text.length
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error(`the screen never showed "${text}":\n${screen.plain().slice(-2000)}`)
}

describe('a guided run on a terminal', () => {
  it('asks, shows the plan, takes the typed confirmation and applies', async () => {
    const kafka = retentionCluster('1000')
    const keyboard = new PassThrough()
    const screen = new Screen()
    const io = terminalIo({ input: keyboard, output: screen as unknown as NodeJS.WritableStream }, { color: false, width: 100 })
    const run = runRunbook(retention, {
      io,
      kafka,
      sessionsDir: mkdtempSync(join(tmpdir(), 'tty-')),
      given: new Map([['retention', { text: '2h', source: 'flag' }]]),
      approvals: { yes: false, hashes: [] },
      dryRun: false,
      operator: 'carol',
      host: 'tty',
      cluster: { origin: 'test' },
      args: [],
      secrets: [],
      signal: new AbortController().signal,
      toolVersion: 'test',
    })
    let at = await waitFor(screen, 'Which topic?', 0)
    keyboard.write('orders\r')
    at = await waitFor(screen, 'Change the retention?', at)
    keyboard.write('\r') // the recommended option is the default
    at = await waitFor(screen, 'Type orders to confirm', at)
    keyboard.write('orders\r')
    await waitFor(screen, 'a command that tells the team', at)
    keyboard.write('\r')
    const result = await run
    expect(result.exitCode).toBe(0)
    expect(await retentionOf(kafka)).toEqual({ value: '7200000', override: true })
    expect(screen.plain()).toMatch(/orders\s+1000\s+7200000/)
  })
})
