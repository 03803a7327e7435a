// Files an operator names in an answer (an offsets CSV), read for the planners.

import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'

/** The file's text, or one line saying why it cannot be read. */
export function readAnswerFile(path: string): { text: string } | { error: string } {
  try {
    return { text: readFileSync(resolve(path), 'utf8') }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    return { error: `cannot read ${path} (${code === 'ENOENT' ? 'no such file' : (code ?? (error as Error).message)})` }
  }
}
