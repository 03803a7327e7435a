// Runs `down` on the sandbox given as JSON in argv[2] once told "go" on stdin, saying "stopping" as it starts,
// so that a test can make this process the sandbox's owner and kill it while the nodes are being stopped.
import { once } from 'node:events'
import { down } from '../../../lib/sandbox/index.ts'
import type { SandboxConfig } from '../../../lib/sandbox/index.ts'

const config = JSON.parse(process.argv[2]!) as SandboxConfig
process.stdout.write('ready\n')
await once(process.stdin, 'data')
process.stdout.write('stopping\n')
await down(config, { brokerGraceMs: 60_000 })
process.stdout.write('stopped\n')
