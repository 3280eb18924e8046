import { useState } from "react";
import { useMutation } from "urql";
import { RecordFeedbackMutation } from "../feed/operations";
import { errorText } from "../components/Status";
import { interactionContext } from "../lib/context";
import type { Served } from "../feed/feedState";

type Kind = "LIKE" | "SAVE" | "HIDE";

/** Like, save or hide the item from its own page; opened from a served list (`served`),
 * the feedback is credited to that list. */
export function ItemActions({ itemId, served = null }: { itemId: string; served?: Served | null }) {
  const [done, setDone] = useState<ReadonlySet<Kind>>(new Set());
  const [{ fetching, error }, record] = useMutation(RecordFeedbackMutation);

  async function act(kind: Kind) {
    const result = await record({ input: { itemId, kind, context: interactionContext(), ...served } });
    if (!result.error) setDone((prev) => new Set(prev).add(kind));
  }

  const button = (kind: Kind, idle: string, pressed: string, glyph: string) => (
    <button
      type="button"
      className="button button--small"
      aria-pressed={done.has(kind)}
      disabled={fetching}
      onClick={() => !done.has(kind) && void act(kind)}
    >
      <span aria-hidden="true">{glyph}</span> {done.has(kind) ? pressed : idle}
    </button>
  );

  return (
    <div className="rec-actions" role="group" aria-label="Feedback on this item">
      {button("LIKE", "Like", "Liked", "♡")}
      {button("SAVE", "Save", "Saved", "☆")}
      {button("HIDE", "Hide from my feed", "Hidden from your feed", "✕")}
      {error && (
        <span className="form-error" role="alert">
          {errorText(error)}
        </span>
      )}
    </div>
  );
}
