import type { Locator } from "@playwright/test";

/**
 * Why `target` is not wholly seen, or "" when it is: it must lie inside the viewport
 * (sideways), inside every ancestor that clips its overflow, and be the topmost thing at
 * the centre of each of `parts` (its entries; the target itself by default).
 */
export async function hiddenPart(target: Locator, parts = ":scope"): Promise<string> {
  return target.evaluate((el, partsSelector) => {
    el.scrollIntoView({ block: "nearest" });
    const box = el.getBoundingClientRect();
    if (box.left < 0 || box.right > window.innerWidth) return `outside the viewport: ${box.left}..${box.right}`;
    for (let a = el.parentElement; a && a !== document.documentElement; a = a.parentElement) {
      const style = getComputedStyle(a);
      if (style.overflowX === "visible" && style.overflowY === "visible") continue;
      const r = a.getBoundingClientRect();
      if (box.left < r.left - 0.5 || box.right > r.right + 0.5 || box.top < r.top - 0.5 || box.bottom > r.bottom + 0.5)
        return `clipped by <${a.tagName.toLowerCase()} class="${a.className}">`;
    }
    for (const part of el.querySelectorAll(partsSelector)) {
      part.scrollIntoView({ block: "nearest" });
      const r = part.getBoundingClientRect();
      const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      if (!hit || !el.contains(hit)) return `"${part.textContent}" is covered by <${hit?.tagName.toLowerCase()} class="${hit?.className}">`;
    }
    return "";
  }, parts);
}

/** How many children of `grid` sit on each row, top to bottom. */
export async function rowCounts(grid: Locator): Promise<number[]> {
  return grid.evaluate((el) => {
    const rows = new Map<number, number>();
    for (const child of el.children) {
      const top = Math.round(child.getBoundingClientRect().top);
      rows.set(top, (rows.get(top) ?? 0) + 1);
    }
    return [...rows.entries()].sort((a, b) => a[0] - b[0]).map(([, n]) => n);
  });
}

/** How far `el` scrolls sideways (0: its content fits). */
export async function sidewaysOverflow(el: Locator): Promise<number> {
  return el.evaluate((e) => e.scrollWidth - e.clientWidth);
}
