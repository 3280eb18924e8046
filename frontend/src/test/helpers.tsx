import { render } from "@testing-library/react";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import { CombinedError, Provider, type Client } from "urql";
import { fromPromise, fromValue, never } from "wonka";
import { vi } from "vitest";
import { SessionContext, type Viewer } from "../session/SessionContext";

type Handler = (query: string, variables: Record<string, unknown>) => unknown;

function operationName(op: { query: unknown }): string {
  const doc = op.query as { definitions: { name?: { value: string } }[] };
  return doc.definitions.find((d) => d.name)?.name?.value ?? "";
}

/**
 * A stand-in GraphQL client: `respond(name, variables)` gives the `data` for each
 * operation by name (undefined keeps a query loading forever).
 */
export function mockClient(respond: Handler) {
  const calls: { name: string; variables: Record<string, unknown> }[] = [];
  const answer = (op: { query: unknown; variables?: Record<string, unknown> }) => {
    const name = operationName(op);
    const variables = op.variables ?? {};
    calls.push({ name, variables });
    const data = respond(name, variables);
    if (data instanceof Error) {
      const error = new CombinedError({ graphQLErrors: [{ message: data.message, extensions: { code: data.name } }] });
      return fromPromise(Promise.resolve({ operation: op, error, data: undefined, stale: false, hasNext: false }));
    }
    return data === undefined ? never : fromValue({ operation: op, data, stale: false, hasNext: false });
  };
  const client = {
    executeQuery: vi.fn(answer),
    executeMutation: vi.fn(answer),
    executeSubscription: vi.fn(() => never),
    query: vi.fn((query: unknown, variables: Record<string, unknown>) => ({
      toPromise: () => {
        const name = operationName({ query });
        calls.push({ name, variables });
        const data = respond(name, variables);
        if (data instanceof Error) return Promise.resolve({ error: new CombinedError({ graphQLErrors: [data.message] }) });
        return Promise.resolve({ data });
      },
    })),
  } as unknown as Client;
  return { client, calls };
}

export const demoViewer: Viewer = {
  id: "7",
  username: "demo",
  firstName: "Dana",
  lastName: "Demo",
  isStaff: false,
  creator: null,
  preferences: { accentColor: "#1f9cee", fontSize: 14 },
  interests: { tags: [], categories: [] },
};

export function renderWith(
  ui: React.ReactElement,
  { client, viewer = demoViewer, path = "/", route = "/" }: { client: Client; viewer?: Viewer | null; path?: string; route?: string },
) {
  const session = { viewer, restart: vi.fn(), refresh: vi.fn() };
  const result = render(
    <Provider value={client}>
      <SessionContext.Provider value={session}>
        <MemoryRouter initialEntries={[path]}>
          <Routes>
            <Route path={route} element={ui} />
            <Route path="*" element={<p>elsewhere</p>} />
          </Routes>
        </MemoryRouter>
      </SessionContext.Provider>
    </Provider>,
  );
  return { ...result, session };
}
