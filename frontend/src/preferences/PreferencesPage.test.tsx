import { screen, waitFor, fireEvent } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { fromPromise } from "wonka";
import { mockClient, renderWith } from "../test/helpers";
import PreferencesPage from "./PreferencesPage";

describe("preferences", () => {
  it("applies the accent and font size live, then saves them", async () => {
    const { client, calls } = mockClient((name, vars) => {
      if (name === "UpdatePreferences")
        return {
          updatePreferences: {
            __typename: "Me",
            id: "7",
            preferences: { __typename: "Preferences", accentColor: vars.accentColor, fontSize: vars.fontSize },
          },
        };
      if (name === "Catalogue") return { categories: [], tags: [] };
      return undefined;
    });
    renderWith(<PreferencesPage />, { client });
    await userEvent.click(screen.getByRole("button", { name: "Accent #7c3aed" }));
    expect(document.documentElement.style.getPropertyValue("--accent")).toBe("#7c3aed");
    fireEvent.change(screen.getByRole("slider", { name: /Font size/ }), { target: { value: "20" } });
    expect(document.documentElement.style.getPropertyValue("--font-size")).toBe("20px");
    await waitFor(() => expect(screen.getByTestId("save-state")).toHaveTextContent("Saved"));
    const saves = calls.filter((c) => c.name === "UpdatePreferences");
    // Debounced: one save with the final values.
    expect(saves).toHaveLength(1);
    expect(saves[0].variables).toEqual({ accentColor: "#7c3aed", fontSize: 20 });
  });

  it("sends a change made during a save after that save, so the newest theme is kept", async () => {
    const { client } = mockClient((name) => (name === "Catalogue" ? { categories: [], tags: [] } : undefined));
    const answers: ((value: unknown) => void)[] = [];
    const sent: Record<string, unknown>[] = [];
    client.executeMutation = vi.fn((op: { variables: Record<string, unknown> }) => {
      sent.push(op.variables);
      const prefs = { __typename: "Preferences", ...op.variables };
      const data = { updatePreferences: { __typename: "Me", id: "7", preferences: prefs } };
      return fromPromise(new Promise((resolve) => answers.push(() => resolve({ operation: op, data, stale: false, hasNext: false }))));
    }) as unknown as typeof client.executeMutation;
    renderWith(<PreferencesPage />, { client });
    await userEvent.click(screen.getByRole("button", { name: "Accent #7c3aed" }));
    await waitFor(() => expect(sent).toHaveLength(1));
    fireEvent.change(screen.getByRole("slider", { name: /Font size/ }), { target: { value: "19" } });
    // Well past the debounce, the second save still waits for the first answer.
    await new Promise((r) => setTimeout(r, 600));
    expect(sent).toHaveLength(1);
    expect(screen.getByTestId("save-state")).not.toHaveTextContent("Saved");
    answers[0](undefined);
    await waitFor(() => expect(sent).toHaveLength(2));
    expect(sent[1]).toEqual({ accentColor: "#7c3aed", fontSize: 19 });
    answers[1](undefined);
    await waitFor(() => expect(screen.getByTestId("save-state")).toHaveTextContent("Saved"));
  });

  it("rejects a malformed colour without applying it", async () => {
    const { client, calls } = mockClient((name) => (name === "Catalogue" ? { categories: [], tags: [] } : undefined));
    renderWith(<PreferencesPage />, { client });
    const hex = screen.getByLabelText("Accent colour as hex");
    await userEvent.clear(hex);
    await userEvent.type(hex, "#12");
    expect(hex).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByText(/Use the form #rrggbb/)).toBeInTheDocument();
    expect(document.documentElement.style.getPropertyValue("--accent")).not.toBe("#12");
    expect(calls.filter((c) => c.name === "UpdatePreferences")).toHaveLength(0);
  });
});
