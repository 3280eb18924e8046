/** Pure state for the interests picker: which tag and category ids are chosen. */

export interface InterestSelection {
  tagIds: ReadonlySet<string>;
  categoryIds: ReadonlySet<string>;
}

export function selectionOf(
  interests: { tags: { id: string }[]; categories: { id: string }[] } | null | undefined,
): InterestSelection {
  return {
    tagIds: new Set(interests?.tags.map((t) => t.id) ?? []),
    categoryIds: new Set(interests?.categories.map((c) => c.id) ?? []),
  };
}

export function toggle(set: ReadonlySet<string>, id: string): Set<string> {
  const next = new Set(set);
  if (next.has(id)) next.delete(id);
  else next.add(id);
  return next;
}

export function sameSelection(a: InterestSelection, b: InterestSelection): boolean {
  const eq = (x: ReadonlySet<string>, y: ReadonlySet<string>) => x.size === y.size && [...x].every((v) => y.has(v));
  return eq(a.tagIds, b.tagIds) && eq(a.categoryIds, b.categoryIds);
}

/** Case-insensitive substring filter for the tag list. */
export function matchTags<T extends { name: string }>(tags: T[], query: string): T[] {
  const q = query.trim().toLowerCase();
  return q ? tags.filter((t) => t.name.toLowerCase().includes(q)) : tags;
}
