import { describe, expect, it, vi } from 'vitest';
import { DisplayCache } from './display-cache.js';

describe('display cache', () => {
  it('serves a value for its lifetime, then loads again', async () => {
    vi.useFakeTimers();
    try {
      const cache = new DisplayCache(1000);
      let loads = 0;
      const load = async () => ++loads;
      expect(await cache.get('k', load)).toBe(1);
      expect(await cache.get('k', load)).toBe(1);
      vi.advanceTimersByTime(1001);
      expect(await cache.get('k', load)).toBe(2);
      cache.clear();
      expect(await cache.get('k', load)).toBe(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it('shares one load between concurrent readers and keeps no failure', async () => {
    const cache = new DisplayCache(60_000);
    let loads = 0;
    const slow = () => new Promise<number>((resolve) => setTimeout(() => resolve(++loads), 5));
    expect(await Promise.all([cache.get('k', slow), cache.get('k', slow)])).toEqual([1, 1]);
    await expect(cache.get('bad', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    await new Promise((r) => setTimeout(r, 0));
    expect(await cache.get('bad', async () => 'up')).toBe('up');
  });

  it('holds at most maxEntries, dropping the oldest; a lifetime of 0 turns it off', async () => {
    const cache = new DisplayCache(60_000, () => true, 2);
    let loads = 0;
    const load = async () => ++loads;
    await cache.get('a', load);
    await cache.get('b', load);
    await cache.get('c', load);
    expect(await cache.get('c', load)).toBe(3);
    expect(await cache.get('a', load)).toBe(4);
    const off = new DisplayCache(0);
    expect(await off.get('k', load)).toBe(5);
    expect(await off.get('k', load)).toBe(6);
  });

  it('keeps and serves nothing while the change feed is not live, and caches again once it is', async () => {
    let live = false;
    const cache = new DisplayCache(60_000, () => live);
    let loads = 0;
    const load = async () => ++loads;
    expect(await cache.get('k', load)).toBe(1);
    expect(await cache.get('k', load)).toBe(2);
    live = true;
    expect(await cache.get('k', load)).toBe(3);
    expect(await cache.get('k', load)).toBe(3);
    live = false;
    expect(await cache.get('k', load)).toBe(4);
  });
});
