import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { mockClient, renderWith } from "../test/helpers";
import { LoginPage, safeNext } from "./LoginPage";

describe("login", () => {
  it("only follows same-site next paths", () => {
    expect(safeNext("/insights?window=7")).toBe("/insights?window=7");
    expect(safeNext("//evil.example")).toBe("/");
    expect(safeNext("https://evil.example")).toBe("/");
    expect(safeNext(null)).toBe("/");
  });

  it("signs in and restarts the session", async () => {
    const { client, calls } = mockClient((name) =>
      name === "Login" ? { login: { __typename: "Me", id: "7", username: "demo" } } : undefined,
    );
    const { session } = renderWith(<LoginPage />, { client, viewer: null, path: "/login", route: "/login" });
    await userEvent.type(screen.getByLabelText("Username"), "demo");
    await userEvent.type(screen.getByLabelText("Password"), "lupi-demo");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    await waitFor(() => expect(session.restart).toHaveBeenCalledOnce());
    expect(calls.find((c) => c.name === "Login")?.variables).toEqual({ username: "demo", password: "lupi-demo" });
  });

  it("sends a signed-in viewer on", () => {
    const { client } = mockClient(() => undefined);
    renderWith(<LoginPage />, { client, path: "/login", route: "/login" });
    expect(screen.getByText("elsewhere")).toBeInTheDocument();
  });
});
