import { describe, expect, it } from 'vitest'
import { within } from '../../lib/kafka/within.ts'

const after = <T>(ms: number, outcome: () => T) =>
  new Promise<T>((resolve, reject) =>
    setTimeout(() => {
      try {
        resolve(outcome())
      } catch (error) {
        reject(error as Error)
      }
    }, ms),
  )

describe('within: a bound on one request', () => {
  it('the answer when it comes in time, even a falsy one', async () => {
    expect(
      await within(
        after(1, () => 0),
        200,
      ),
    ).toEqual({ value: 0 })
  })

  it("'timedOut' when it does not; its later failure goes nowhere", async () => {
    const unhandled: unknown[] = []
    const record = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', record)
    try {
      expect(
        await within(
          after(60, () => {
            throw new Error('late')
          }),
          5,
        ),
      ).toBe('timedOut')
      await after(100, () => undefined)
      expect(unhandled).toEqual([])
    } finally {
      process.off('unhandledRejection', record)
    }
  })

  it('a failure in time is thrown to the caller', async () => {
    await expect(
      within(
        after(1, () => {
          throw new Error('refused')
        }),
        200,
      ),
    ).rejects.toThrow('refused')
  })
})
