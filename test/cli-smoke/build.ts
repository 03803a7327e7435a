// Global setup of the `cli` project: the smoke tests run the real `runbook` launcher on the compiled dist/.

import { buildDist } from '../support/build-dist.ts'

export default async function build(): Promise<void> {
  await buildDist()
}
