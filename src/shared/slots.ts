/**
 * A per-process bound on work that holds the event loop (building a large PDF): at most `size` holders at once,
 * and a taker beyond them is refused at once — told to come back — rather than queued without end.
 */
export type Slots = {
  /** A slot and its release (idempotent), or null when every slot is held. */
  take(): (() => void) | null;
};

export function slots(size: number): Slots {
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
