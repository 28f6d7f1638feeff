// planSampling and fitFrameSize are pure: checked with examples and with properties over many
// generated inputs.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { alignToPatchGrid, fitFrameSize, planSampling } from '../../../src/core/video/frames';

const defaults = { fps: 2, maxFrames: 32 };

describe('planSampling', () => {
  test('2 fps by default, capped at 32 frames', () => {
    assert.equal(planSampling(2, defaults).count, 4);
    assert.equal(planSampling(5, defaults).count, 10);
    assert.equal(planSampling(16, defaults).count, 32);
    assert.equal(planSampling(30, defaults).count, 32);
    assert.equal(planSampling(3600, defaults).count, 32);
  });

  test('frames sit at the centres of equal intervals over the whole clip', () => {
    assert.deepEqual(planSampling(2, defaults).times, [0.25, 0.75, 1.25, 1.75]);
    const long = planSampling(30, defaults);
    assert.ok(Math.abs(long.times[0]! - 30 / 64) < 1e-9);
    assert.ok(Math.abs(long.times[31]! - (30 - 30 / 64)) < 1e-9);
  });

  test('at least one frame: one-frame clips, tiny clips, unknown duration', () => {
    assert.deepEqual(planSampling(1 / 24, defaults), { count: 1, times: [1 / 48] });
    assert.deepEqual(planSampling(0, defaults), { count: 1, times: [0] });
    assert.deepEqual(planSampling(Number.NaN, defaults), { count: 1, times: [0] });
    assert.equal(planSampling(0.01, { fps: 2, maxFrames: 0 }).count, 1);
  });

  test('a clip just over a whole number of sampling intervals gets one more frame', () => {
    assert.equal(planSampling(2.01, defaults).count, 5);
    assert.equal(planSampling(0.1 + 0.2 + 1.7, defaults).count, 4, 'floating-point noise does not add a frame');
  });

  test('properties: count in [1, maxFrames], ascending evenly spaced times inside the clip, no gap above 1/fps unless capped', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.001, max: 36_000, noNaN: true }),
        fc.double({ min: 0.1, max: 60, noNaN: true }),
        fc.integer({ min: 1, max: 512 }),
        (duration, fps, maxFrames) => {
          const { count, times } = planSampling(duration, { fps, maxFrames });
          assert.equal(times.length, count);
          assert.ok(count >= 1 && count <= maxFrames);
          const step = duration / count;
          times.forEach((t, i) => {
            assert.ok(t > 0 && t < duration);
            assert.ok(Math.abs(t - (i + 0.5) * step) <= 1e-9 * Math.max(1, duration));
          });
          if (count < maxFrames) assert.ok(step <= 1 / fps + 1e-9, `step ${step} at ${fps} fps`);
          else assert.ok(count <= Math.ceil(duration * fps));
        },
      ),
    );
  });
});

describe('fitFrameSize', () => {
  test('examples', () => {
    assert.deepEqual(fitFrameSize(1920, 1080, 448 * 448), { width: 596, height: 336 });
    assert.deepEqual(fitFrameSize(1080, 1920, 448 * 448), { width: 336, height: 596 });
    assert.deepEqual(fitFrameSize(320, 240, 448 * 448), { width: 320, height: 240 }, 'never upscales');
    assert.deepEqual(fitFrameSize(321, 241, 448 * 448), { width: 320, height: 240 }, 'odd sides become even');
    assert.deepEqual(fitFrameSize(1, 1, 448 * 448), { width: 2, height: 2 }, 'at least 2x2');
    assert.deepEqual(fitFrameSize(10_000, 2, 100), { width: 50, height: 2 });
    assert.deepEqual(fitFrameSize(640, 480, 1), { width: 2, height: 2 });
  });

  test('properties: even, at least 2x2, within the budget, never upscaled, aspect kept, budget used', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8192 }),
        fc.integer({ min: 1, max: 8192 }),
        fc.integer({ min: 4, max: 4096 * 4096 }),
        (w, h, maxPixels) => {
          const out = fitFrameSize(w, h, maxPixels);
          assert.equal(out.width % 2, 0);
          assert.equal(out.height % 2, 0);
          assert.ok(out.width >= 2 && out.height >= 2);
          assert.ok(out.width * out.height <= maxPixels, `${out.width}x${out.height} > ${maxPixels}`);
          assert.ok(out.width <= Math.max(2, w) && out.height <= Math.max(2, h), 'not upscaled');
          // Aspect ratio: the shorter side is within 2 px of the exact value for the longer side,
          // unless it is pinned at the 2-pixel minimum or at the source size.
          const landscape = w >= h;
          const [long, short] = landscape ? [out.width, out.height] : [out.height, out.width];
          const exactShort = (long * (landscape ? h : w)) / (landscape ? w : h);
          if (short > 2 && short < (landscape ? h : w) - 1)
            assert.ok(Math.abs(short - exactShort) <= 2, `${w}x${h} → ${out.width}x${out.height}`);
          // Not needlessly small: a source over budget keeps most of the budget when it is not extreme.
          const ratio = Math.max(w, h) / Math.min(w, h);
          if (w * h > maxPixels && maxPixels >= 10_000 && ratio <= 4) {
            assert.ok(out.width * out.height >= 0.9 * maxPixels, `${w}x${h} → ${out.width}x${out.height} of ${maxPixels}`);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('alignToPatchGrid', () => {
  test('cuts each side down to a multiple of 28 (Qwen2.5-VL: 14-pixel patches merged 2×2)', () => {
    assert.deepEqual(alignToPatchGrid(fitFrameSize(1920, 1080, 448 * 448)), { width: 588, height: 336 });
    assert.deepEqual(alignToPatchGrid({ width: 448, height: 448 }), { width: 448, height: 448 });
    assert.deepEqual(alignToPatchGrid({ width: 27, height: 400 }), { width: 27, height: 400 }, 'a side under one step: left as it is');
  });

  test('properties: multiples of the grid, never larger than the fitted size, within one step of it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 28, max: 8000 }), fc.integer({ min: 28, max: 8000 }), fc.integer({ min: 2, max: 64 }), (w, h, grid) => {
        const out = alignToPatchGrid({ width: w, height: h }, grid);
        if (w < grid || h < grid) return assert.deepEqual(out, { width: w, height: h });
        assert.equal(out.width % grid, 0);
        assert.equal(out.height % grid, 0);
        assert.ok(out.width <= w && out.height <= h);
        assert.ok(w - out.width < grid && h - out.height < grid);
      }),
      { numRuns: 2000 },
    );
  });
});
