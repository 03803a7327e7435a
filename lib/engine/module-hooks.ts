// Node module hooks for the team's own runbooks, registered once before the first one is loaded:
// `kafka-runbooks` and `kafka-runbooks/testing` resolve to the running tool itself (so a runbook and the engine
// share one copy of every class), and on a Node without type stripping (20), .ts files are compiled with the
// TypeScript package found next to the runbooks or the tool.

import { readFile } from 'node:fs/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'

export interface HooksData {
  /** Package specifier → file URL of the tool's own module. */
  readonly packages: Readonly<Record<string, string>>
  /** Absolute path of the typescript package's main file; null when .ts needs no compiling. */
  readonly typescript: string | null
}

interface TypeScriptApi {
  transpileModule(source: string, options: { fileName: string; compilerOptions: Record<string, unknown> }): { outputText: string }
  ModuleKind: { ESNext: number }
  ScriptTarget: { ES2022: number }
}

let data: HooksData = { packages: {}, typescript: null }
let typescript: Promise<TypeScriptApi> | null = null

export function initialize(given: HooksData): void {
  data = given
}

type Resolve = (specifier: string, context: unknown) => Promise<{ url: string }>
type Load = (url: string, context: unknown) => Promise<{ format?: string; source?: unknown }>

export async function resolve(specifier: string, context: unknown, nextResolve: Resolve) {
  const own = data.packages[specifier]
  if (own) return { url: own, shortCircuit: true }
  return nextResolve(specifier, context)
}

export async function load(url: string, context: unknown, nextLoad: Load) {
  if (!data.typescript || !url.startsWith('file:') || !/\.[mc]?ts$/.test(url)) return nextLoad(url, context)
  typescript ??= import(pathToFileURL(data.typescript).href).then((m: { default?: TypeScriptApi } & TypeScriptApi) => m.default ?? m)
  const ts = await typescript
  const path = fileURLToPath(url)
  const output = ts.transpileModule(await readFile(path, 'utf8'), {
    fileName: path,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
      rewriteRelativeImportExtensions: false,
      sourceMap: false,
    },
  })
  return { format: 'module', source: output.outputText, shortCircuit: true }
}
