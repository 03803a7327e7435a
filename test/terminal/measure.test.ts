// The renderer's measuring and wrapping, sped up for long notebooks, must keep their answers: the printed
// length is the code points once colour codes are gone, and a paragraph wraps where it wrapped before.

import { describe, expect, it } from 'vitest'
import { visibleLength, wrap } from '../../lib/terminal/render.ts'

const pieces = ['a', 'word', ' ', '  ', '\n', 'é', '漢', '😀', '\ud83d', '\ude00', '\u001b[1m', '\u001b[22m', '\u001b[36m', '–', '']

function randomTexts(count: number): string[] {
  let state = 11
  const next = (n: number) => {
    state = (state * 1103515245 + 12345) % 2 ** 31
    return state % n
  }
  return Array.from({ length: count }, () => Array.from({ length: next(40) }, () => pieces[next(pieces.length)]).join(''))
}

// eslint-disable-next-line no-control-regex -- colour codes are what it matches
const colour = /\u001b\[[0-9;]*m/g

// The wrapping as it was: every candidate line measured whole.
function wrapAsBefore(text: string, width: number): string[] {
  const lines: string[] = []
  for (const paragraph of text.split('\n')) {
    let line = ''
    for (const word of paragraph.split(/ +/)) {
      if (line === '') line = word
      else if ([...`${line} ${word}`.replace(colour, '')].length <= width) line += ' ' + word
      else {
        lines.push(line)
        line = word
      }
    }
    lines.push(line)
  }
  return lines
}

describe('visibleLength and wrap', () => {
  it('count code points without colour codes, a lone surrogate as one', () => {
    expect(visibleLength('\u001b[1mab😀\u001b[22m')).toBe(3)
    expect(visibleLength('a\ud83d')).toBe(2)
    for (const text of randomTexts(2000)) expect(visibleLength(text), JSON.stringify(text)).toBe([...text.replace(colour, '')].length)
  })

  it('wrap where the whole-line measure wrapped, at every width', () => {
    for (const text of randomTexts(1000))
      for (const width of [1, 5, 12, 40, Number.POSITIVE_INFINITY]) expect(wrap(text, width), JSON.stringify(text)).toEqual(wrapAsBefore(text, width))
  })
})
