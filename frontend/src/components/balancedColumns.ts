import { useLayoutEffect, useRef, useState, type CSSProperties, type RefObject } from "react";

/**
 * How many columns a grid of `count` cards should have so that no row is left with a lone
 * card: the most that fit (each at least `minWidth` wide, `gap` apart in `width`) for which
 * the last row is full or one short, e.g. seven cards as 4 + 3 rather than 6 + 1.
 */
export function balancedColumns(count: number, width: number, minWidth: number, gap: number): number {
  const fit = Math.max(1, Math.min(count, Math.floor((width + gap) / (minWidth + gap))));
  for (let columns = fit; columns > 1; columns--) {
    const rest = count % columns;
    if (rest === 0 || rest >= columns - 1) return columns;
  }
  return 1;
}

/** Keeps a grid's columns balanced for its width (a ResizeObserver re-measures it). */
export function useBalancedColumns<T extends HTMLElement>(
  count: number,
  minWidthRem: number,
): { ref: RefObject<T | null>; style: CSSProperties | undefined } {
  const ref = useRef<T | null>(null);
  const [columns, setColumns] = useState<number | null>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    const measure = () => {
      const rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
      const gap = parseFloat(getComputedStyle(el).columnGap) || 0;
      setColumns(balancedColumns(count, el.clientWidth, minWidthRem * rem, gap));
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [count, minWidthRem]);
  return { ref, style: columns ? { gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))` } : undefined };
}
