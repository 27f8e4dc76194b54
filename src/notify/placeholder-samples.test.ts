/** Every placeholder of every event has a sample: the template editor's preview and the SMS length check read it. */
import { describe, expect, it } from 'vitest';
import { NOTIFY_EVENTS } from './events.js';
import { PLACEHOLDER_SAMPLES } from './placeholder-samples.js';
import { sampleData } from './template-input.js';

describe('placeholder samples', () => {
  it('cover every placeholder of every event, so no preview shows a raw name', () => {
    const missing = Object.values(NOTIFY_EVENTS)
      .flatMap((e) => Object.keys(e.placeholders))
      .filter((p) => !PLACEHOLDER_SAMPLES[p]);
    expect([...new Set(missing)]).toEqual([]);
    expect(sampleData('dossier.fee_refunded').ngay_hoan_tra).toBe('20/12/2026');
  });
});
