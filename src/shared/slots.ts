/**
 * A per-process bound on work that holds the event loop (building a large PDF or spreadsheet): at most `size` holders
 * at once, and a taker beyond them is refused at once — told to come back — rather than queued without end.
 */
import { errors } from './errors.js';

type Slots = {
  /** A slot and its release (idempotent), or null when every slot is held. */
  take(): (() => void) | null;
};

function slots(size: number): Slots {
  let held = 0;
  return {
    take() {
      if (held >= size) return null;
      held++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        held--;
      };
    },
  };
}

/**
 * The documents built on the event loop (Mẫu 07, the situation report's PDF and XLSX; seconds each at their row caps):
 * at most two at once in this process, whichever they are — every page of every official waits while one is built.
 */
export const documentBuilds = slots(2);
const RETRY_AFTER_SECONDS = 10;

/** `build` in one of documentBuilds; all held: 503 busy ("Hệ thống đang bận lập tài liệu khác…") with Retry-After. */
export async function withDocumentBuild<T>(build: () => Promise<T>): Promise<T> {
  const release = documentBuilds.take();
  if (!release) throw errors.busy('lập tài liệu khác', RETRY_AFTER_SECONDS);
  try {
    return await build();
  } finally {
    release();
  }
}
