// A small file's text, read synchronously without node:fs under Bun. There, loading node:fs is about as much CPU
// as `bun -e 0` spends in all (measured 4.5 ms against 9.4 ms), while a cold `runbook list` or `show` only reads
// a config file, the build's catalog and a notebook; Bun.mmap reads them for a fraction of that. Node loads
// node:fs while it starts anyway, so it reads through node:fs.

interface BunFileMapping {
  mmap(path: string): Uint8Array
}

/** The file's UTF-8 text; throws as node:fs's readFileSync does (`code` ENOENT when there is no such file). */
export function fileText(path: string): string {
  const bun = (globalThis as { Bun?: BunFileMapping }).Bun
  if (bun) {
    try {
      // ignoreBOM keeps a byte order mark in the text, as readFileSync does.
      return new TextDecoder('utf-8', { ignoreBOM: true }).decode(bun.mmap(path))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw error
      // An empty file cannot be mapped (EINVAL), and other failures are worded best by node:fs: it reads or says why.
    }
  }
  return process.getBuiltinModule('node:fs').readFileSync(path, 'utf8')
}
