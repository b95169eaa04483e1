// The panel's follow decisions while a burst is rendered in slices (src/webview/follow.ts), on a set clock.
import * as assert from 'node:assert/strict';
import { CATCH_UP_FOLLOW_MS, FIRST_CATCH_UP_FOLLOW_MS, FollowPolicy } from '../../src/webview/follow';

describe('following a burst', () => {
  let now = 0;
  const policy = () => new FollowPolicy(() => now);

  /** The clock times, from `from` to `to` in 10 ms frames, at which `followNow()` said to follow; it follows then. */
  function follows(p: FollowPolicy, from: number, to: number): number[] {
    const at: number[] = [];
    for (now = from; now <= to; now += 10) {
      if (p.followNow()) {
        at.push(now);
        p.followed();
      }
    }
    return at;
  }

  it('a burst follows first FIRST_CATCH_UP_FOLLOW_MS after it starts, then once a second, then at its end', () => {
    const p = policy();
    now = 5_000;
    assert.equal(p.followNow(), false, 'no follow before the burst');
    assert.equal(p.rendered(true), false); // a slice left text for the next frames: the burst starts
    assert.equal(p.free, false, 'no regular follow while it catches up');
    assert.deepEqual(follows(p, 5_000, 7_500), [5_000 + FIRST_CATCH_UP_FOLLOW_MS, 5_000 + FIRST_CATCH_UP_FOLLOW_MS + CATCH_UP_FOLLOW_MS, 5_000 + FIRST_CATCH_UP_FOLLOW_MS + 2 * CATCH_UP_FOLLOW_MS]);
    assert.equal(p.rendered(false), true, 'caught up: follow to the end in the next frame');
    assert.equal(p.free, false);
    p.ended();
    assert.equal(p.free, true);
    assert.equal(p.followNow(), false);
  });

  it('a burst shorter than that follows only at its end', () => {
    const p = policy();
    now = 0;
    p.rendered(true);
    assert.deepEqual(follows(p, 0, FIRST_CATCH_UP_FOLLOW_MS - 10), []);
    assert.equal(p.rendered(false), true);
  });

  it('a burst right after a follow waits a second from that follow', () => {
    const p = policy();
    now = 1_000;
    p.followed(); // the view followed the stream in this frame
    now = 1_100;
    p.rendered(true);
    assert.deepEqual(follows(p, 1_100, 3_000), [1_000 + CATCH_UP_FOLLOW_MS, 1_000 + 2 * CATCH_UP_FOLLOW_MS]);
  });

  it('a second burst after the first one ended starts its own clock', () => {
    const p = policy();
    now = 0;
    p.rendered(true);
    follows(p, 0, 400);
    p.rendered(false);
    p.ended();
    now = 10_000;
    p.rendered(true);
    assert.deepEqual(follows(p, 10_000, 10_500), [10_000 + FIRST_CATCH_UP_FOLLOW_MS]);
  });
});
