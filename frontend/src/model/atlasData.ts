/**
 * The embedding atlas as chart datasets: items coloured by category, users and tags as
 * their own layers. Pure, so the grouping is unit-tested without a canvas.
 */
import { paletteColor } from "../charts/setup";

export type AtlasKind = "ITEM" | "USER" | "TAG";

export interface AtlasPointInput {
  kind: AtlasKind;
  id: string;
  label: string;
  x: number;
  y: number;
  categoryId?: string | null;
  categoryName?: string | null;
}

export interface AtlasDatum {
  x: number;
  y: number;
  id: string;
  kind: AtlasKind;
  label: string;
}

export interface AtlasDataset {
  key: string;
  label: string;
  kind: AtlasKind;
  color: string;
  pointStyle: "circle" | "triangle" | "rect";
  radius: number;
  data: AtlasDatum[];
}

export function atlasDatasets(points: AtlasPointInput[], kinds: ReadonlySet<AtlasKind>): AtlasDataset[] {
  const byCategory = new Map<string, { name: string; data: AtlasDatum[] }>();
  const users: AtlasDatum[] = [];
  const tags: AtlasDatum[] = [];
  for (const p of points) {
    if (!kinds.has(p.kind)) continue;
    const d: AtlasDatum = { x: p.x, y: p.y, id: p.id, kind: p.kind, label: p.label };
    if (p.kind === "USER") users.push(d);
    else if (p.kind === "TAG") tags.push(d);
    else {
      const key = p.categoryId ?? "none";
      const group = byCategory.get(key) ?? { name: p.categoryName ?? "No category", data: [] };
      group.data.push(d);
      byCategory.set(key, group);
    }
  }
  const categories = [...byCategory.entries()].sort((a, b) => a[1].name.localeCompare(b[1].name));
  const out: AtlasDataset[] = categories.map(([key, g], i) => ({
    key: `cat-${key}`,
    label: g.name,
    kind: "ITEM",
    color: paletteColor(i),
    pointStyle: "circle",
    radius: 3,
    data: g.data,
  }));
  if (users.length) out.push({ key: "users", label: "Users", kind: "USER", color: "#98a2b3", pointStyle: "rect", radius: 2, data: users });
  if (tags.length) out.push({ key: "tags", label: "Tags", kind: "TAG", color: "#1d2939", pointStyle: "triangle", radius: 5, data: tags });
  return out;
}

/** Where a click on a point leads: items to their page, tags to the catalogue filtered by tag. */
export function atlasLink(d: Pick<AtlasDatum, "kind" | "id">): string | null {
  if (d.kind === "ITEM") return `/items/${d.id}`;
  if (d.kind === "TAG") return `/items?tag=${d.id}`;
  return null;
}
