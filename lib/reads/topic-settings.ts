// One reader for topic settings: each setting's value and where it comes from (the topic's own override, a
// broker or cluster default, Kafka's default), and the overrides the topic has of its own. Planners compare
// these, a change's undo restores them, a re-check compares them again.

import type { ConfigSource, KafkaOps } from '../kafka/types.ts'

/** A setting as a topic has it: its value (null: unset, or sensitive) and where the value comes from. */
export interface Setting {
  readonly value: string | null
  readonly source: ConfigSource
  readonly sensitive: boolean
}

export interface TopicSettings {
  readonly topic: string
  /** false when Kafka does not know the topic; `error` then says why the settings could not be read. */
  readonly exists: boolean
  readonly error: { readonly name: string; readonly message: string } | null
  /** The settings Kafka listed, by name (only the named ones when names were given); settingOf() reads one. */
  readonly settings: Readonly<Record<string, Setting>>
  /** The topic's own overrides among the settings read (kafka-configs --describe shows these); sensitive ones as ***. */
  readonly overrides: Readonly<Record<string, string>>
}

const unset: Setting = { value: null, source: 'default', sensitive: false }

export { entryOf } from '../kafka/types.ts'

/** The settings of `topics`; with `names`, only those (a cheaper read), else every setting and every override. */
export async function readTopicSettings(kafka: KafkaOps, topics: readonly string[], names?: readonly string[]): Promise<TopicSettings[]> {
  if (topics.length === 0) return []
  const unique = [...new Set(topics)]
  const described = await kafka.describeConfigs(
    unique.map((name) => ({ type: 'topic' as const, name })),
    names ? { names } : {},
  )
  const byTopic = new Map(described.map((c) => [c.resource.type === 'topic' ? c.resource.name : '', c]))
  return unique.map((topic) => {
    const config = byTopic.get(topic)
    if (!config || config.error) {
      const error = config?.error ? { name: config.error.name, message: config.error.message } : { name: 'NO_ANSWER', message: 'no answer' }
      return { topic, exists: false, error, settings: {}, overrides: {} }
    }
    const settings: Record<string, Setting> = {}
    const overrides: Record<string, string> = {}
    for (const e of config.entries) {
      if (names && !names.includes(e.name)) continue
      settings[e.name] = { value: e.value, source: e.source, sensitive: e.sensitive }
      if (e.source === 'dynamic-topic') overrides[e.name] = e.sensitive ? '***' : (e.value ?? '')
    }
    return { topic, exists: true, error: null, settings, overrides }
  })
}

/** One setting of a topic read with readTopicSettings; a name Kafka did not list reads as unset, from Kafka's default. */
export function settingOf(topic: TopicSettings | undefined, name: string): Setting {
  return topic?.settings[name] ?? unset
}
