import { Link } from "react-router-dom";
import { Cover, TypeBadge } from "../components/Cover";

export interface ItemSummary {
  id: string;
  type: string;
  title: string;
  excerpt: string;
  imageUrl: string;
  creator: { id: string; displayName: string };
  category?: { id: string; name: string } | null;
}

/** A catalogue item as a card: cover, type, title (a link to the item), excerpt, creator. */
export function ItemCard({ item, compact = false }: { item: ItemSummary; compact?: boolean }) {
  return (
    <article className={compact ? "card item-card item-card--compact" : "card item-card"} data-testid="item-card">
      <Cover src={item.imageUrl} type={item.type} seed={item.id} />
      <div className="item-card__body">
        <div className="item-card__meta">
          <TypeBadge type={item.type} />
          {item.category && <span className="muted">{item.category.name}</span>}
        </div>
        <h3 className="item-card__title">
          <Link to={`/items/${item.id}`}>{item.title}</Link>
        </h3>
        {!compact && <p className="item-card__excerpt">{item.excerpt}</p>}
        <p className="item-card__creator muted">
          by <Link to={`/creators/${item.creator.id}`}>{item.creator.displayName}</Link>
        </p>
      </div>
    </article>
  );
}
