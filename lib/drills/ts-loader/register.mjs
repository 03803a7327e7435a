// Dev and test only: lets `node --import <this file>` run the drill workloads (and test helpers) from their
// TypeScript sources on Node 20, which cannot run .ts itself. Built installs spawn the compiled .js and never
// load this. There is one TypeScript-loading hook, the engine's module-hooks.ts (the one a team's runbooks load
// through); being TypeScript itself, it is compiled here with the project's own TypeScript and registered from
// memory, told to compile every .ts it meets and to map no package names.
import { readFileSync } from 'node:fs'
import { createRequire, register } from 'node:module'
import ts from 'typescript'

const hooksFile = new URL('../../engine/module-hooks.ts', import.meta.url)
const hooks = ts.transpileModule(readFileSync(hooksFile, 'utf8'), {
  compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true, sourceMap: false },
}).outputText
const typescript = createRequire(import.meta.url).resolve('typescript')

register(`data:text/javascript,${encodeURIComponent(hooks)}`, import.meta.url, { data: { packages: {}, typescript } })
