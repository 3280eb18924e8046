/** The embedding atlas; wired to the API once it serves the projection. */
export function AtlasSection() {
  return (
    <section className="card panel" aria-labelledby="atlas-title">
      <h2 id="atlas-title">Embedding atlas</h2>
      <p className="muted">The 2-D map of items, users and tags appears here.</p>
    </section>
  );
}
