// happy-dom lays nothing out, so every element measures 0 px high and a virtual list (Naive UI's
// data tables with `virtual-scroll`) would show no rows at all. This ResizeObserver reports every
// observed element as VIEWPORT_HEIGHT px high, as a window of that height would. Import it before
// anything that imports naive-ui: its resize-observer delegate picks the constructor when loaded.
export const VIEWPORT_WIDTH = 1200;
export const VIEWPORT_HEIGHT = 600;

type Callback = (entries: unknown[], observer: FixedSizeObserver) => void;

class FixedSizeObserver {
  readonly #callback: Callback;
  constructor(callback: Callback) {
    this.#callback = callback;
  }
  observe(target: Element): void {
    const size = { blockSize: VIEWPORT_HEIGHT, inlineSize: VIEWPORT_WIDTH };
    queueMicrotask(() =>
      this.#callback(
        [
          {
            target,
            contentRect: {
              x: 0,
              y: 0,
              top: 0,
              left: 0,
              width: VIEWPORT_WIDTH,
              height: VIEWPORT_HEIGHT,
              right: VIEWPORT_WIDTH,
              bottom: VIEWPORT_HEIGHT,
            },
            borderBoxSize: [size],
            contentBoxSize: [size],
          },
        ],
        this,
      ),
    );
  }
  unobserve(): void {}
  disconnect(): void {}
}

(globalThis as { ResizeObserver?: unknown }).ResizeObserver = FixedSizeObserver;
if (typeof window !== 'undefined') (window as { ResizeObserver?: unknown }).ResizeObserver = FixedSizeObserver;
