// The public surfaces, pinned: a name added to or dropped from `kafka-runbooks` or `kafka-runbooks/testing` is a
// change a team's runbooks see, so it shows up here first.

import { describe, expect, it } from 'vitest'

describe('public surfaces', () => {
  it('kafka-runbooks', async () => {
    expect(Object.keys(await import('../lib/index.ts')).sort()).toEqual(
      [
        'Refusal',
        'ParamError',
        'agree',
        'brokersView',
        'checkClusterNames',
        'code',
        'consumerGroupView',
        'counted',
        'facts',
        'formatCount',
        'formatDuration',
        'formatSeconds',
        'ifChosen',
        'iso',
        'logDirsView',
        'markdown',
        'membersTable',
        'notebook',
        'notice',
        'offsetChange',
        'offsetUndo',
        'offsetsChangeTable',
        'param',
        'parseDateTime',
        'parseDuration',
        'partitionHealthView',
        'pollUntil',
        'confirmedRead',
        'readCommittedOffsets',
        'readGroupState',
        'readGroupView',
        'readLogBounds',
        'readPartitionHealth',
        'readRecordTimes',
        'readTopicSettings',
        'settingOf',
        'stopGroupCells',
        'table',
        'topicConfigChange',
        'topicSettingsView',
        'validateRunbook',
      ].sort(),
    )
  })

  it('kafka-runbooks: every parameter type', async () => {
    const { param } = await import('../lib/index.ts')
    expect(Object.keys(param).sort()).toEqual(
      [
        'boolean',
        'broker',
        'brokers',
        'choice',
        'count',
        'datetime',
        'duration',
        'group',
        'integer',
        'list',
        'logDirs',
        'partition',
        'partitions',
        'string',
        'topic',
        'topics',
      ].sort(),
    )
  })

  it('kafka-runbooks/testing', async () => {
    expect(Object.keys(await import('../lib/testkit/index.ts')).sort()).toEqual(
      ['FakeClusterBuilder', 'FakeKafka', 'fakeCluster', 'readEvents', 'runWithKit', 'scriptedIo', 'verifyChain'].sort(),
    )
  })
})
