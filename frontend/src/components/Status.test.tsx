import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { CombinedError } from "urql";
import { describe, expect, it, vi } from "vitest";
import { ErrorMessage, errorText, Loading } from "./Status";

describe("status", () => {
  it("reads GraphQL errors as people should see them", () => {
    expect(errorText(new CombinedError({ graphQLErrors: ["Not allowed.", "Try later."] }))).toBe("Not allowed. Try later.");
    expect(errorText(new CombinedError({ networkError: new Error("Failed to fetch") }))).toMatch(/could not be reached/);
    expect(errorText("plain")).toBe("plain");
  });

  it("announces errors and offers a retry", async () => {
    const retry = vi.fn();
    render(<ErrorMessage error="boom" onRetry={retry} />);
    expect(screen.getByRole("alert")).toHaveTextContent("boom");
    await userEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(retry).toHaveBeenCalledOnce();
  });

  it("announces loading politely", () => {
    render(<Loading label="Loading items…" />);
    expect(screen.getByRole("status")).toHaveTextContent("Loading items…");
  });
});
