import { Link } from "react-router-dom";
import { Cover, TypeBadge } from "../components/Cover";
import type { RecommendationFieldsFragment } from "../gql/graphql";
import { formatScore } from "../lib/format";
import type { Served } from "./feedState";

export type RecommendationData = RecommendationFieldsFragment & {
  item: NonNullable<RecommendationFieldsFragment["item"]>;
};

const REASON_ICON: Record<string, string> = {
  SIMILAR_TO_LIKED: "♥",
  TAG_YOU_FOLLOW: "#",
  CREATOR_YOU_ENGAGE_WITH: "★",
  TRENDING: "↗",
  NEW: "✦",
  FITS_THE_MOMENT: "◷",
};

export interface CardHandlers {
  onLike: () => void;
  onSave: () => void;
  onHide: () => void;
  onNotInterestedTag: (tagId: string, name: string) => void;
  onNotInterestedCreator: (creatorId: string, name: string) => void;
}

/** The score and its parts, shown when the card is hovered or focused. */
export function ScoreDetails({ rec }: { rec: RecommendationData }) {
  const b = rec.breakdown;
  const parts: [string, number][] = [
    ["graph", b.graph],
    ["content", b.content],
    ["popularity", b.popularity],
    ["freshness", b.freshness],
    // the moment of the request and earlier showings, where they changed anything
    ...(b.context ? ([["this moment", b.context]] as [string, number][]) : []),
    ...(b.fatiguePenalty ? ([["shown before", -b.fatiguePenalty]] as [string, number][]) : []),
    ["diversity", -b.diversityPenalty],
  ];
  return (
    <div className="score-tip" role="note" aria-label={`Score ${formatScore(rec.score)}`}>
      <strong>Score {formatScore(rec.score)}</strong>
      <dl>
        {parts.map(([label, v]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{v >= 0 ? "+" : "−"}{formatScore(Math.abs(v))}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

export function RecommendationCard({
  rec,
  liked,
  saved,
  busy,
  served = null,
  handlers,
}: {
  rec: RecommendationData;
  liked: boolean;
  saved: boolean;
  busy: boolean;
  served?: Served | null;
  handlers: CardHandlers;
}) {
  const { item } = rec;
  const titleId = `rec-title-${item.id}`;
  return (
    <article className="card item-card rec-card" data-testid="rec-card" data-item-id={item.id} aria-labelledby={titleId}>
      <Cover src={item.imageUrl} type={item.type} seed={item.id} />
      <ScoreDetails rec={rec} />
      <div className="item-card__body">
        <div className="item-card__meta">
          <TypeBadge type={item.type} />
          {item.category && <span className="muted">{item.category.name}</span>}
        </div>
        <h3 className="item-card__title" id={titleId}>
          <Link to={`/items/${item.id}`} state={served}>
            {item.title}
          </Link>
        </h3>
        <p className="item-card__excerpt">{item.excerpt}</p>
        <p className="item-card__creator muted">
          by <Link to={`/creators/${item.creator.id}`}>{item.creator.displayName}</Link>
        </p>
        {rec.reasons.length > 0 && (
          <ul className="chips reasons" aria-label="Why this is here">
            {rec.reasons.map((r, i) => (
              <li key={`${r.kind}-${i}`} className="chip reason" data-kind={r.kind}>
                <span aria-hidden="true">{REASON_ICON[r.kind] ?? "•"}</span>
                {r.text}
              </li>
            ))}
          </ul>
        )}
        <div className="rec-actions" role="group" aria-label={`Feedback on ${item.title}`}>
          <button
            type="button"
            className="button button--small"
            aria-pressed={liked}
            disabled={busy}
            onClick={() => !liked && handlers.onLike()}
          >
            <span aria-hidden="true">{liked ? "♥" : "♡"}</span> {liked ? "Liked" : "Like"}
          </button>
          <button
            type="button"
            className="button button--small"
            aria-pressed={saved}
            disabled={busy}
            onClick={() => !saved && handlers.onSave()}
          >
            <span aria-hidden="true">{saved ? "★" : "☆"}</span> {saved ? "Saved" : "Save"}
          </button>
          <button type="button" className="button button--small" disabled={busy} onClick={handlers.onHide}>
            <span aria-hidden="true">✕</span> Hide
          </button>
          <details
            className="menu"
            onKeyDown={(e) => {
              if (e.key === "Escape" && e.currentTarget.open) {
                e.currentTarget.open = false;
                e.currentTarget.querySelector("summary")?.focus();
              }
            }}
            onClick={(e) => {
              // Choosing an entry closes the menu.
              if ((e.target as HTMLElement).classList.contains("menu__item")) e.currentTarget.open = false;
            }}
          >
            <summary className="button button--small" aria-label={`Not interested… (${item.title})`}>
              Not interested…
            </summary>
            <ul className="menu__list">
              <li>
                <button
                  type="button"
                  className="menu__item"
                  onClick={() => handlers.onNotInterestedCreator(item.creator.id, item.creator.displayName)}
                >
                  in {item.creator.displayName}
                </button>
              </li>
              {item.tags.map((t) => (
                <li key={t.id}>
                  <button type="button" className="menu__item" onClick={() => handlers.onNotInterestedTag(t.id, t.name)}>
                    in #{t.name}
                  </button>
                </li>
              ))}
            </ul>
          </details>
        </div>
      </div>
    </article>
  );
}
