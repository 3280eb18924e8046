import { useCallback, useEffect, useMemo, useReducer, useState } from "react";
import { useSearchParams } from "react-router-dom";
import { useClient, useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import type { RecommendationFieldsFragment } from "../gql/graphql";
import { useCatalogue } from "../components/CatalogueFilters";
import { EmptyState, ErrorMessage, errorText, Loading } from "../components/Status";
import { InterestsPicker } from "../preferences/InterestsPicker";
import { useSession } from "../session/SessionContext";
import { interactionContext, rankingContext } from "../lib/context";
import { FeedControls } from "./FeedControls";
import {
  emptyFeed,
  feedReducer,
  hasReaction,
  queryArguments,
  servedIds,
  settingsFromParams,
  settingsToParams,
  visibleCards,
  type FeedCard,
  type FeedSettings,
  type Served,
} from "./feedState";
import { MarkNotInterestedMutation, MoreRecommendationsQuery, RecordFeedbackMutation } from "./operations";
import { RecommendationCard, type RecommendationData } from "./RecommendationCard";
import { ActivityPanel } from "./ActivityPanel";
import { ListMeta } from "./ListMeta";
import { useTitle } from "../lib/useTitle";

export const PAGE_SIZE = 20;
const MAX_SERVED = 300;

// The whole first screen in one request: the list with reasons, recent activity, counts.
// The list is ranked for the moment it is asked for: the browser's local hour and device.
const ForYouQuery = graphql(`
  query ForYou(
    $first: Int!
    $filters: RecommendationFilters
    $knobs: RecommendationKnobs
    $context: RecommendationContext
  ) {
    dashboard {
      recommendations(first: $first, filters: $filters, knobs: $knobs, context: $context) {
        method
        diversity
        cached
        requestId
        items {
          ...RecommendationFields
        }
      }
      stats {
        interactions
        likes
        saves
        hides
        itemsEngaged
        creatorsEngaged
      }
      recentActivity(limit: 6) {
        interactionId
        kind
        occurredAt
        item {
          id
          title
        }
      }
    }
  }
`);

type Card = FeedCard & { rec: RecommendationData; served: Served | null };

/** Cards of one served list; each keeps the list's request id and its rank in that list
 * (counted before unreadable entries are dropped), which feedback on it sends along. */
export function toCards(items: RecommendationFieldsFragment[], requestId: string): Card[] {
  return items.flatMap((rec, position) =>
    rec.item == null
      ? []
      : [
          {
            id: rec.item.id,
            creatorId: rec.item.creator.id,
            tagIds: rec.item.tags.map((t) => t.id),
            rec: rec as RecommendationData,
            served: requestId ? { requestId, position } : null,
          },
        ],
  );
}

let firstRenderMarked = false;

export function ForYouPage() {
  useTitle("For you");
  const { viewer } = useSession();
  const client = useClient();
  const catalogue = useCatalogue();
  const [params, setParams] = useSearchParams();
  const settings = useMemo(() => settingsFromParams(params), [params]);
  const variables = useMemo(
    () => ({ first: PAGE_SIZE, ...queryArguments(settings), context: rankingContext() }),
    [settings],
  );
  const [{ data, fetching, error, stale, operation }, reexecute] = useQuery({ query: ForYouQuery, variables });
  const [feed, dispatch] = useReducer(feedReducer<Card>, undefined, emptyFeed<Card>);
  const [, recordFeedback] = useMutation(RecordFeedbackMutation);
  const [, markNotInterested] = useMutation(MarkNotInterestedMutation);
  const [notice, setNotice] = useState("");
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());
  const [loadingMore, setLoadingMore] = useState(false);
  const [exhausted, setExhausted] = useState(false);
  const [moreError, setMoreError] = useState("");
  // The settings of the list on screen: until it is the list for the current settings,
  // the feed says it is updating (and browser tests wait for that).
  const [shownFor, setShownFor] = useState("");

  const list = data?.dashboard.recommendations;
  useEffect(() => {
    if (list) {
      dispatch({ type: "reset", page: toCards(list.items, list.requestId) });
      setExhausted(list.items.length < PAGE_SIZE);
      setShownFor(JSON.stringify(operation?.variables ?? null));
    }
  }, [list]); // eslint-disable-line react-hooks/exhaustive-deps
  const updating = fetching || stale || shownFor !== JSON.stringify(variables);

  const cards = visibleCards(feed);

  useEffect(() => {
    if (cards.length > 0 && !firstRenderMarked) {
      firstRenderMarked = true;
      performance.mark("lupi:for-you-rendered");
    }
  }, [cards.length]);

  const changeSettings = (next: FeedSettings) => setParams(settingsToParams(next), { replace: true });
  const refresh = () => reexecute({ requestPolicy: "network-only" });

  const fetchMore = useCallback(
    async (count: number) => {
      const exclude = servedIds(feed);
      if (exclude.length >= MAX_SERVED) {
        setExhausted(true);
        return;
      }
      setLoadingMore(true);
      setMoreError("");
      const result = await client
        .query(
          MoreRecommendationsQuery,
          { first: Math.min(count, 100), ...queryArguments(settings, exclude), context: variables.context },
          { requestPolicy: "network-only" },
        )
        .toPromise();
      setLoadingMore(false);
      if (result.error) {
        setMoreError(errorText(result.error));
        return;
      }
      const served = result.data?.recommendations;
      const page = toCards(served?.items ?? [], served?.requestId ?? "");
      if (page.length < count) setExhausted(true);
      dispatch({ type: "append", page });
    },
    [client, feed, settings, variables.context],
  );

  function markBusy(id: string, on: boolean) {
    setBusy((prev) => {
      const next = new Set(prev);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  }

  async function send(card: Card, kind: "LIKE" | "SAVE" | "HIDE"): Promise<boolean> {
    const id = card.id;
    markBusy(id, true);
    const input = { itemId: id, kind, context: interactionContext(), ...card.served };
    const result = await recordFeedback({ input });
    markBusy(id, false);
    if (result.error) setNotice(`Could not save that: ${errorText(result.error)}`);
    return !result.error;
  }

  const handlersFor = (card: Card) => ({
    onLike: async () => {
      dispatch({ type: "react", id: card.id, reaction: "LIKE", on: true });
      if (await send(card, "LIKE")) setNotice(`Liked “${card.rec.item.title}”. Similar items will rank higher.`);
      else dispatch({ type: "react", id: card.id, reaction: "LIKE", on: false });
    },
    onSave: async () => {
      dispatch({ type: "react", id: card.id, reaction: "SAVE", on: true });
      if (await send(card, "SAVE")) setNotice(`Saved “${card.rec.item.title}”.`);
      else dispatch({ type: "react", id: card.id, reaction: "SAVE", on: false });
    },
    onHide: async () => {
      dispatch({ type: "hide", id: card.id });
      if (await send(card, "HIDE")) {
        setNotice(`Hidden “${card.rec.item.title}”. You will not see it again.`);
        void fetchMore(1);
      } else {
        dispatch({ type: "restore", id: card.id });
      }
    },
    onNotInterestedTag: async (tagId: string, name: string) => {
      dispatch({ type: "blockTag", tagId });
      const result = await markNotInterested({ tagId });
      if (result.error) setNotice(`Could not save that: ${errorText(result.error)}`);
      else {
        setNotice(`Fewer items tagged #${name} from now on.`);
        void fetchMore(3);
      }
    },
    onNotInterestedCreator: async (creatorId: string, name: string) => {
      dispatch({ type: "blockCreator", creatorId });
      const result = await markNotInterested({ creatorId });
      if (result.error) setNotice(`Could not save that: ${errorText(result.error)}`);
      else {
        setNotice(`No more from ${name}.`);
        void fetchMore(3);
      }
    },
  });

  const hasInterests = Boolean(viewer && (viewer.interests.tags.length || viewer.interests.categories.length));
  const coldStart = list && (list.method === "TRENDING" || list.method === "FALLBACK") && !hasInterests;

  return (
    <div className="feed-layout">
      <section aria-labelledby="foryou-title" className="feed">
        <header className="page-header page-header--row">
          <div>
            <h1 id="foryou-title">For you</h1>
            <p className="muted">Picked for {viewer?.firstName || viewer?.username} from what you read, watch and like.</p>
          </div>
          <button type="button" className="button" onClick={refresh} disabled={fetching}>
            ↻ Refresh
          </button>
        </header>
        <FeedControls catalogue={catalogue} settings={settings} onChange={changeSettings} />
        {list && <ListMeta list={list} updating={updating} />}
        <p className="notice" role="status" aria-live="polite">
          {notice}
        </p>
        {coldStart && (
          <section className="card panel cold-start" aria-labelledby="cold-title">
            <h2 id="cold-title">Tell us what you like</h2>
            <p className="muted">
              We do not know your taste yet, so these are trending items. Follow a few categories and tags and your
              feed becomes personal at once; every like, save and hide sharpens it further.
            </p>
            <InterestsPicker compact onSaved={refresh} />
          </section>
        )}
        {error && !list && <ErrorMessage error={error} onRetry={refresh} />}
        {!list && fetching && <Loading label="Finding recommendations…" />}
        {list && cards.length === 0 && !fetching && (
          <EmptyState title="Nothing to recommend right now">
            <p>
              {settings.type || settings.categoryId
                ? "No items match these filters. Try another type or category, or reset the filters."
                : "You have seen or ruled out everything we could suggest. Follow more topics to widen your feed."}
            </p>
            {!coldStart && <InterestsPicker compact onSaved={refresh} />}
          </EmptyState>
        )}
        {cards.length > 0 && (
          <div className="grid" aria-busy={updating}>
            {cards.map((card) => (
              <RecommendationCard
                key={card.id}
                rec={card.rec}
                liked={hasReaction(feed, card.id, "LIKE")}
                saved={hasReaction(feed, card.id, "SAVE")}
                busy={busy.has(card.id)}
                served={card.served}
                handlers={handlersFor(card)}
              />
            ))}
          </div>
        )}
        {moreError && <ErrorMessage error={moreError} onRetry={() => void fetchMore(PAGE_SIZE)} />}
        {list && cards.length > 0 && (
          <div className="load-more">
            {exhausted ? (
              <span className="muted">That is everything for now.</span>
            ) : (
              <button type="button" className="button" onClick={() => void fetchMore(PAGE_SIZE)} disabled={loadingMore}>
                {loadingMore ? "Loading…" : "Show more"}
              </button>
            )}
          </div>
        )}
      </section>
      {data && <ActivityPanel stats={data.dashboard.stats} activity={data.dashboard.recentActivity} />}
    </div>
  );
}
