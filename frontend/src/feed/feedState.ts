import type { ContentType, RecommendationFilters, RecommendationKnobs } from "../gql/graphql";

/**
 * What the For-you feed shows, as pure state: pages of recommendations as served, and the
 * viewer's feedback applied on top at once (hidden items and refused tags or creators
 * vanish before the server answers; likes and saves show as pressed).
 */

export interface FeedCard {
  id: string;
  creatorId: string;
  tagIds: string[];
}

export type Reaction = "LIKE" | "SAVE";

/** Where a card was served: its list's request id and its 0-based rank in that list.
 * Feedback on the card (and on the item's page, opened from it) carries both, so the
 * outcome is credited to that list's impression. */
export interface Served {
  requestId: string;
  position: number;
}

/** The served list an item page was opened from, read from the link's navigation state
 * (anything else, such as a page opened directly, has none). */
export function servedFrom(state: unknown): Served | null {
  if (typeof state !== "object" || state === null) return null;
  const { requestId, position } = state as Record<string, unknown>;
  if (typeof requestId !== "string" || !/^[0-9a-f]{32}$/.test(requestId)) return null;
  if (typeof position !== "number" || !Number.isInteger(position) || position < 0) return null;
  return { requestId, position };
}

export interface FeedState<T extends FeedCard = FeedCard> {
  pages: T[][];
  removed: ReadonlySet<string>;
  blockedTags: ReadonlySet<string>;
  blockedCreators: ReadonlySet<string>;
  reactions: ReadonlyMap<string, ReadonlySet<Reaction>>;
}

export type FeedAction<T extends FeedCard = FeedCard> =
  | { type: "reset"; page: T[] }
  | { type: "append"; page: T[] }
  | { type: "hide"; id: string }
  | { type: "restore"; id: string }
  | { type: "blockTag"; tagId: string }
  | { type: "blockCreator"; creatorId: string }
  | { type: "react"; id: string; reaction: Reaction; on: boolean };

export function emptyFeed<T extends FeedCard>(): FeedState<T> {
  return { pages: [], removed: new Set(), blockedTags: new Set(), blockedCreators: new Set(), reactions: new Map() };
}

export function feedReducer<T extends FeedCard>(state: FeedState<T>, action: FeedAction<T>): FeedState<T> {
  switch (action.type) {
    case "reset":
      // A fresh first page (new filters, knobs or a refresh): the server already excludes
      // what was hidden, so local marks only need to survive for cards still on screen.
      return { ...state, pages: [action.page] };
    case "append":
      return { ...state, pages: [...state.pages, action.page] };
    case "hide":
      return { ...state, removed: new Set(state.removed).add(action.id) };
    case "restore": {
      const removed = new Set(state.removed);
      removed.delete(action.id);
      return { ...state, removed };
    }
    case "blockTag":
      return { ...state, blockedTags: new Set(state.blockedTags).add(action.tagId) };
    case "blockCreator":
      return { ...state, blockedCreators: new Set(state.blockedCreators).add(action.creatorId) };
    case "react": {
      const reactions = new Map(state.reactions);
      const current = new Set(reactions.get(action.id) ?? []);
      if (action.on) current.add(action.reaction);
      else current.delete(action.reaction);
      reactions.set(action.id, current);
      return { ...state, reactions };
    }
  }
}

/** The cards to draw: pages in order, each item once, minus everything refused. */
export function visibleCards<T extends FeedCard>(state: FeedState<T>): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const page of state.pages) {
    for (const card of page) {
      if (seen.has(card.id)) continue;
      seen.add(card.id);
      if (state.removed.has(card.id)) continue;
      if (state.blockedCreators.has(card.creatorId)) continue;
      if (card.tagIds.some((t) => state.blockedTags.has(t))) continue;
      out.push(card);
    }
  }
  return out;
}

/** Every id already served in this session of the feed (for `excludeIds` on the next page). */
export function servedIds<T extends FeedCard>(state: FeedState<T>): string[] {
  return [...new Set(state.pages.flat().map((c) => c.id))];
}

export function hasReaction<T extends FeedCard>(state: FeedState<T>, id: string, reaction: Reaction): boolean {
  return state.reactions.get(id)?.has(reaction) ?? false;
}

/** Filters and knobs as chosen in the toolbar, kept in the URL so a reload keeps them. */
export interface FeedSettings {
  type: ContentType | "";
  categoryId: string;
  diversity: number | null;
  halfLifeDays: number | null;
}

const CONTENT_TYPES: readonly ContentType[] = ["BLOG", "VIDEO", "IMAGE", "AUDIO"];
export const DIVERSITY_DEFAULT = 0.3;
export const HALF_LIFE_DEFAULT = 30;
export const HALF_LIFE_CHOICES = [1, 3, 7, 14, 30, 90, 180, 365];

export function settingsFromParams(params: URLSearchParams): FeedSettings {
  const num = (name: string, lo: number, hi: number): number | null => {
    const raw = params.get(name);
    if (raw === null || raw === "") return null;
    const v = Number(raw);
    return Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : null;
  };
  const type = params.get("type") ?? "";
  return {
    type: (CONTENT_TYPES as readonly string[]).includes(type) ? (type as ContentType) : "",
    categoryId: params.get("category") ?? "",
    diversity: num("diversity", 0, 1),
    halfLifeDays: num("halfLife", 1, 365),
  };
}

export function settingsToParams(s: FeedSettings): URLSearchParams {
  const p = new URLSearchParams();
  if (s.type) p.set("type", s.type);
  if (s.categoryId) p.set("category", s.categoryId);
  if (s.diversity !== null) p.set("diversity", String(s.diversity));
  if (s.halfLifeDays !== null) p.set("halfLife", String(s.halfLifeDays));
  return p;
}

/** GraphQL variables for the settings; nulls leave the server's defaults. */
export function queryArguments(
  s: FeedSettings,
  excludeIds: string[] = [],
): { filters: RecommendationFilters | null; knobs: RecommendationKnobs | null } {
  const filters: RecommendationFilters = {};
  if (s.type) filters.types = [s.type];
  if (s.categoryId) filters.categoryIds = [s.categoryId];
  if (excludeIds.length) filters.excludeIds = excludeIds;
  const knobs: RecommendationKnobs = {};
  if (s.diversity !== null) knobs.diversity = s.diversity;
  if (s.halfLifeDays !== null) knobs.freshnessHalfLifeDays = s.halfLifeDays;
  return {
    filters: Object.keys(filters).length ? filters : null,
    knobs: Object.keys(knobs).length ? knobs : null,
  };
}
