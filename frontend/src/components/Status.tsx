import type { CombinedError } from "urql";

/** A polite, screen-reader-announced loading line. */
export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <p className="status status--loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

/** The message a person should read for a failed request. */
export function errorText(error: CombinedError | Error | string): string {
  if (typeof error === "string") return error;
  if ("graphQLErrors" in error && error.graphQLErrors.length > 0) {
    return error.graphQLErrors.map((e) => e.message).join(" ");
  }
  if ("networkError" in error && error.networkError) {
    return "The server could not be reached. Check your connection and try again.";
  }
  return error.message;
}

export function ErrorMessage({
  error,
  title = "Something went wrong",
  onRetry,
}: {
  error: CombinedError | Error | string;
  title?: string;
  onRetry?: () => void;
}) {
  return (
    <div className="status status--error" role="alert">
      <strong>{title}</strong>
      <p>{errorText(error)}</p>
      {onRetry && (
        <button type="button" className="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: React.ReactNode }) {
  return (
    <section className="empty-state" aria-label={title}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}
