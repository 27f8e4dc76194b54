/**
 * Run by tests/change-feed.test.ts as a process of its own: opens the database with a fast heartbeat, listens,
 * closes, and must then exit by itself — a timer or socket left behind would keep it alive, an unhandled rejection
 * would make it exit 1.
 */
import { changeFeedTiming } from '../../src/config.js';
import { ChangeFeed } from '../../src/db/changes.js';
import { openDatabase } from '../../src/db/client.js';

const database = await openDatabase({ url: process.env.FEED_DATABASE_URL!, poolSize: 2, changeFeed: changeFeedTiming(50) });
const feed = new ChangeFeed(database);
await feed.settled();
// A few heartbeats, one of them likely in flight when the database closes.
await new Promise((r) => setTimeout(r, 325));
if (!feed.isLive()) throw new Error('the feed is not live');
const started = Date.now();
await database.close();
console.log(`closed after ${Date.now() - started} ms`);
