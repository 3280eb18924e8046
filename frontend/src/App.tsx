import { lazy, useCallback, useState } from "react";
import { BrowserRouter, Route, Routes } from "react-router-dom";
import { Provider } from "urql";
import { createLupiClient } from "./lib/client";
import { SessionProvider } from "./session/SessionProvider";
import { LoginPage } from "./session/LoginPage";
import { RequireViewer } from "./session/RequireViewer";
import { Shell } from "./layout/Shell";
import { ForYouPage } from "./feed/ForYouPage";
import { NotFoundPage } from "./layout/NotFoundPage";

// Pages with charts load on demand, keeping the first screen's bundle small.
const ItemsPage = lazy(() => import("./items/ItemsPage"));
const ItemPage = lazy(() => import("./items/ItemPage"));
const CreatorPage = lazy(() => import("./items/CreatorPage"));
const InsightsPage = lazy(() => import("./insights/InsightsPage"));
const PreferencesPage = lazy(() => import("./preferences/PreferencesPage"));
const ModelPage = lazy(() => import("./model/ModelPage"));
const ExperimentsPage = lazy(() => import("./experiments/ExperimentsPage"));

export function App() {
  // A new viewer gets a new client (no cached data carries over) and a fresh tree.
  const [session, setSession] = useState(() => ({ client: createLupiClient(), generation: 0 }));
  const restart = useCallback(
    () => setSession((s) => ({ client: createLupiClient(), generation: s.generation + 1 })),
    [],
  );

  return (
    <Provider value={session.client}>
      <SessionProvider restart={restart} key={session.generation}>
        <BrowserRouter>
          <Routes>
            <Route path="/login" element={<LoginPage />} />
            <Route
              element={
                <RequireViewer>
                  <Shell />
                </RequireViewer>
              }
            >
              <Route index element={<ForYouPage />} />
              <Route path="items" element={<ItemsPage />} />
              <Route path="items/:id" element={<ItemPage />} />
              <Route path="creators/:id" element={<CreatorPage />} />
              <Route path="insights" element={<InsightsPage />} />
              <Route path="preferences" element={<PreferencesPage />} />
              <Route path="model" element={<ModelPage />} />
              <Route path="experiments" element={<ExperimentsPage />} />
              <Route path="*" element={<NotFoundPage />} />
            </Route>
          </Routes>
        </BrowserRouter>
      </SessionProvider>
    </Provider>
  );
}
