import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AnalysisScheduler, type Clock } from '../../server/src/lsp/scheduler';

/** A clock that only moves when told to, recording what the scheduler asked for. */
class FakeClock implements Clock {
  time = 1000;
  private readonly queue: { at: number; callback: () => void; kind: 'soon' | 'after' }[] = [];
  readonly asked: string[] = [];

  now(): number {
    return this.time;
  }

  soon(callback: () => void): () => void {
    this.asked.push('soon');
    return this.add({ at: this.time, callback, kind: 'soon' });
  }

  after(ms: number, callback: () => void): () => void {
    this.asked.push(`after ${ms}`);
    return this.add({ at: this.time + ms, callback, kind: 'after' });
  }

  /** Moves time forward, running what falls due, in order. */
  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      this.queue.sort((a, b) => a.at - b.at);
      const next = this.queue[0];
      if (!next || next.at > until) break;
      this.queue.shift();
      this.time = next.at;
      next.callback();
    }
    this.time = until;
  }

  private add(entry: (typeof this.queue)[number]): () => void {
    this.queue.push(entry);
    return () => {
      const index = this.queue.indexOf(entry);
      if (index >= 0) this.queue.splice(index, 1);
    };
  }
}

function setup(windowMs = 50) {
  const clock = new FakeClock();
  const runs: number[] = [];
  const scheduler = new AnalysisScheduler(windowMs, () => runs.push(clock.now()), clock);
  return { clock, runs, scheduler };
}

describe('analysis scheduling', () => {
  test('a change after a quiet spell is analysed at once, without a timer', () => {
    const { clock, runs, scheduler } = setup();
    scheduler.request();
    assert.deepEqual(clock.asked, ['soon']);
    clock.advance(0);
    assert.deepEqual(runs, [1000]);
    clock.advance(200);
    scheduler.request();
    assert.deepEqual(clock.asked, ['soon', 'soon']);
    clock.advance(0);
    assert.deepEqual(runs, [1000, 1200]);
  });

  test('changes within the window after a run wait for the window to end, and join into one run', () => {
    const { clock, runs, scheduler } = setup();
    scheduler.request();
    clock.advance(0);
    clock.advance(10);
    scheduler.request();
    assert.deepEqual(clock.asked, ['soon', 'after 40']);
    for (let i = 0; i < 5; i++) {
      clock.advance(5);
      scheduler.request();
    }
    assert.deepEqual(clock.asked, ['soon', 'after 40'], 'requests while a run is scheduled join it');
    clock.advance(100);
    assert.deepEqual(runs, [1000, 1050]);
  });

  test('a burst of changes is analysed at most once per window', () => {
    const { clock, runs, scheduler } = setup();
    for (let i = 0; i < 100; i++) {
      scheduler.request();
      clock.advance(3);
    }
    clock.advance(100);
    assert.deepEqual(runs, [1000, 1050, 1100, 1150, 1200, 1250, 1300]);
  });

  test('dispose cancels the scheduled run', () => {
    const { clock, runs, scheduler } = setup();
    scheduler.request();
    assert.equal(scheduler.scheduled, true);
    scheduler.dispose();
    clock.advance(100);
    assert.deepEqual(runs, []);
    assert.equal(scheduler.scheduled, false);
  });
});
