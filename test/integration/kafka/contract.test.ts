// The KafkaOps contract against the real sandbox: what the fake promises, Kafka does.

import { kafkaContract } from '../../kafka/contract.ts'
import { sandboxWorld } from './world.ts'

kafkaContract('platformatic adapter on the sandbox', sandboxWorld, async (world) => world.ops.close())
