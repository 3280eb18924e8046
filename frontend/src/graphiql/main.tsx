/**
 * The GraphiQL IDE served at /graphql/ (when GraphiQL is enabled), built from npm packages
 * into frontend/dist/graphiql so that it needs nothing from outside the server. It keeps
 * the behaviour of strawberry's own page: the query and variables live in the address,
 * headers can be edited (and are remembered), and every request carries the CSRF header.
 */
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { GraphiQL } from "graphiql";
import "graphiql/style.css";
import { readParams, writeParams, type EditorParams } from "./editorState";
import { createLupiFetcher } from "./fetcher";
import "./graphiql.css";

const WELCOME = `# Lupi's GraphQL API. Log in first (the page sends the CSRF token for you):
#
#   mutation { login(username: "demo", password: "lupi-demo") { username } }
#
# then, for example:
#
#   query { dashboard { me { username } recommendations(first: 5) { items { item { title } } } } }
#
# Run: Ctrl-Enter (or the play button). Auto complete: Ctrl-Space. Docs: the book icon.
`;

// The endpoint is this page's own address without its query string (as served, /graphql/).
const endpoint = window.location.href.split("?")[0];
const fetcher = createLupiFetcher(endpoint);
const initial = readParams(window.location.search);

function remember(changes: EditorParams) {
  const search = writeParams(window.location.search, changes);
  history.replaceState(null, "", `${window.location.pathname}${search}`);
}

createRoot(document.getElementById("graphiql")!).render(
  <StrictMode>
    <GraphiQL
      fetcher={fetcher}
      defaultQuery={WELCOME}
      query={initial.q}
      variables={initial.variables}
      headers={initial.headers}
      onEditQuery={(q) => remember({ q })}
      onEditVariables={(variables) => remember({ variables })}
      defaultEditorToolsVisibility
      inputValueDeprecation
      isHeadersEditorEnabled
      shouldPersistHeaders
    />
  </StrictMode>,
);
