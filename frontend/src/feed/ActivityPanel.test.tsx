import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { mockClient, renderWith } from "../test/helpers";
import { ActivityPanel } from "./ActivityPanel";

const stats = { __typename: "UserStats" as const, interactions: 3, likes: 1, saves: 1, hides: 0, itemsEngaged: 2, creatorsEngaged: 1 };

function entry(id: string, kind: "LIKE" | "SAVE" | "DWELL", title: string) {
  return {
    __typename: "ActivityEntry" as const,
    interactionId: id,
    kind,
    occurredAt: "2026-01-02T10:00:00+00:00",
    item: { __typename: "ContentItem" as const, id: `i${id}`, title },
  };
}

describe("Your activity", () => {
  it("names each kind from the schema's enum (uppercase, as interactions use it)", () => {
    const { client } = mockClient(() => undefined);
    const activity = [entry("1", "LIKE", "Blue notes"), entry("2", "SAVE", "Bean stew"), entry("3", "DWELL", "Knife skills")];
    renderWith(<ActivityPanel stats={stats} activity={activity} />, { client });
    const rows = within(screen.getByRole("list")).getAllByRole("listitem");
    expect(rows.map((row) => row.querySelector(".badge")?.textContent)).toEqual(["Liked", "Saved", "Read"]);
    expect(within(rows[0]).getByRole("link", { name: "Blue notes" })).toHaveAttribute("href", "/items/i1");
  });
});
