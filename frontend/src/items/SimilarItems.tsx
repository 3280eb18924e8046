/** Placeholder until the API serves similar items; replaced below once it does. */
export function SimilarItems({ itemId }: { itemId: string }) {
  return <p className="muted" data-item={itemId}>Similar items appear here.</p>;
}
