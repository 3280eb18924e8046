import { Link } from "react-router-dom";

export function NotFoundPage() {
  return (
    <section className="empty-state">
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. Go back to <Link to="/">your recommendations</Link>.
      </p>
    </section>
  );
}
