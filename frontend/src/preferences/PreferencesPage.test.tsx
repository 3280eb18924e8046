import { screen, waitFor, fireEvent } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
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
