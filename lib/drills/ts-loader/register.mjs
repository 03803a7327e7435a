// Dev and test only: lets `node --import <this file>` run the drill workloads from their TypeScript sources
// on Node 20, which cannot run .ts itself. Built installs spawn the compiled .js and never load this.
import { register } from 'node:module'

register('./hooks.mjs', import.meta.url)
