// Java .properties text as java.util.Properties.load reads it: the format of every client.properties.

/**
 * Key/value pairs of a .properties text. As in Java: `=`, `:` or whitespace separate key and value; `#` and
 * `!` start comments; a line ending in an odd number of backslashes continues on the next, whose leading
 * whitespace is dropped — so a value written over several lines has no line breaks in it (Kafka's PEM reader
 * copes with that, and so does ours); `\n`, `\t`, `\uXXXX` and `\` before any other character are escapes.
 */
export function parseProperties(text: string): Map<string, string> {
  const result = new Map<string, string>()
  const lines = text.split(/\r\n|\r|\n/)
  for (let i = 0; i < lines.length; i++) {
    let line = trimStart(lines[i]!)
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue
    while (endsWithContinuation(line)) {
      line = line.slice(0, -1)
      if (i + 1 >= lines.length) break
      line += trimStart(lines[++i]!)
    }
    const { key, value } = splitKeyValue(line)
    result.set(unescape(key), unescape(value))
  }
  return result
}

// Java's whitespace here: space, tab and form feed.
function trimStart(line: string): string {
  return line.replace(/^[ \t\f]+/, '')
}

function endsWithContinuation(line: string): boolean {
  let backslashes = 0
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i--) backslashes++
  return backslashes % 2 === 1
}

function splitKeyValue(line: string): { key: string; value: string } {
  let i = 0
  while (i < line.length) {
    const ch = line[i]!
    if (ch === '\\') {
      i += 2
      continue
    }
    if (ch === '=' || ch === ':' || ch === ' ' || ch === '\t' || ch === '\f') break
    i++
  }
  const key = line.slice(0, i)
  let rest = line.slice(i).replace(/^[ \t\f]+/, '')
  if (rest.startsWith('=') || rest.startsWith(':')) rest = rest.slice(1).replace(/^[ \t\f]+/, '')
  return { key, value: rest }
}

function unescape(text: string): string {
  return text.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_m, esc: string) => {
    if (esc.startsWith('u') && esc.length === 5) return String.fromCharCode(parseInt(esc.slice(1), 16))
    return ({ t: '\t', n: '\n', r: '\r', f: '\f' } as Record<string, string>)[esc] ?? esc
  })
}
