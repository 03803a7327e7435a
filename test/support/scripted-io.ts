// The scripted terminal lives in the test kit teams use too (lib/testkit); tests import it from there.
export { scriptedIo } from '../../lib/testkit/scripted-io.ts'
export type { ScriptedIo, ScriptStep } from '../../lib/testkit/scripted-io.ts'
