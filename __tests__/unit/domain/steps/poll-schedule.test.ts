import { describe, expect, it } from '@jest/globals';
import { PollSchedule, slowestProgress } from '../../../../src/domain/steps/poll-schedule.js';

/** Feeds the schedule polls at the times it asks for; `percentAt` gives the progress each poll sees. */
function run(schedule: PollSchedule, polls: number, percentAt: (ms: number) => number | undefined): number[] {
  const delays: number[] = [];
  let at = 0;
  for (let i = 0; i < polls; i++) {
    const delay = schedule.next(at, percentAt(at));
    delays.push(delay);
    at += delay;
  }
  return delays;
}

describe('the poll schedule', () => {
  it('backs off from 2 s by 1.5 up to 15 s without progress', () => {
    expect(run(new PollSchedule(), 8, () => undefined)).toEqual([2000, 3000, 4500, 6750, 10_125, 15_000, 15_000, 15_000]);
  });

  it('honours the first and maximum delays it is given', () => {
    expect(run(new PollSchedule({ firstDelayMs: 1000, maxDelayMs: 4000 }), 6, () => undefined)).toEqual([1000, 1500, 2250, 3375, 4000, 4000]);
  });

  it('backs off while the progress has not moved since the first seen', () => {
    expect(run(new PollSchedule(), 4, () => 3)).toEqual([2000, 3000, 4500, 6750]);
  });

  it('polls just after the completion it estimates from the progress rate', () => {
    const schedule = new PollSchedule();
    expect(schedule.next(0, 0)).toBe(2000);
    // 50 % in 2 s: done 2 s later.
    expect(schedule.next(2000, 50)).toBe(2250);
    expect(schedule.expectsCompletion).toBe(true);
  });

  it('estimates from the first progress seen, not from the start of the wait (a copy found running)', () => {
    const schedule = new PollSchedule();
    expect(schedule.next(0, 60)).toBe(2000);
    // 60 % -> 70 % in 2 s: 30 % left take 6 s.
    expect(schedule.next(2000, 70)).toBe(6250);
  });

  it('never waits longer than 15 s, however far the estimate', () => {
    const schedule = new PollSchedule();
    schedule.next(0, 0);
    expect(schedule.next(2000, 1)).toBe(15_000);
    expect(schedule.expectsCompletion).toBe(false);
  });

  it('never polls sooner than 1 s after the previous poll', () => {
    const schedule = new PollSchedule();
    schedule.next(0, 0);
    expect(schedule.next(2000, 99)).toBe(1000);
  });

  it('backs off when the estimates turn out early (a copy sitting at 99 %), up to 15 s', () => {
    const schedule = new PollSchedule();
    schedule.next(0, 0);
    // 10 % left at 45 %/s: due in 222 ms, polled after the 1 s floor.
    expect(schedule.next(2000, 90)).toBe(1000);
    const delays = [3000, 4000, 6000, 10_000, 18_000, 33_000].map((at) => schedule.next(at, 99));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 15_000, 15_000]);
  });

  it('keeps its estimate over a poll that saw no progress', () => {
    const schedule = new PollSchedule();
    schedule.next(0, 0);
    expect(schedule.next(2000, 20)).toBe(8250);
    // A poll that read only the image at 6 s: the completion is still expected at 10 s.
    expect(schedule.next(6000, undefined)).toBe(4250);
  });

  it('treats 100 % as done: polls again after 1 s, backing off while the copy is still not available', () => {
    const schedule = new PollSchedule();
    const delays = [schedule.next(0, 0), schedule.next(2000, 100), schedule.next(3000, 100), schedule.next(4000, 100), schedule.next(6000, 100), schedule.next(10_000, 100)];
    expect(delays).toEqual([2000, 1000, 1000, 2000, 4000, 8000]);
    expect(schedule.next(18_000, 100)).toBe(15_000);
  });

  it('expects completion only at the first poll aimed at the estimate', () => {
    const schedule = new PollSchedule();
    schedule.next(0, 0);
    schedule.next(2000, 80);
    expect(schedule.expectsCompletion).toBe(true);
    schedule.next(2750, 99);
    expect(schedule.expectsCompletion).toBe(false);
  });

  it('stays within 15 s of the end of linear copies of 10 s to 2 h, and just after it for short ones', () => {
    for (const seconds of [10, 37, 89, 180, 811, 3119, 7200]) {
      const durationMs = seconds * 1000;
      const schedule = new PollSchedule();
      let at = 0;
      while (at < durationMs) at += schedule.next(at, Math.floor((at * 100) / durationMs));
      expect(at - durationMs).toBeLessThanOrEqual(seconds <= 100 ? 2000 : 15_000);
    }
  });
});

describe('the slowest progress', () => {
  it('is the lowest percentage of the snapshots', () => {
    expect(slowestProgress(['87%', '40%', '100%'])).toBe(40);
  });

  it('is unknown without snapshots or when one reports none', () => {
    expect(slowestProgress([])).toBeUndefined();
    expect(slowestProgress(['50%', undefined])).toBeUndefined();
    expect(slowestProgress(['50%', ''])).toBeUndefined();
  });
});
