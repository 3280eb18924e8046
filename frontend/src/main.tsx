import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { applyTheme, recallTheme } from "./lib/theme";
import "./styles.css";

// Paint in the last known theme at once; the viewer's saved preferences follow.
const remembered = recallTheme();
if (remembered) applyTheme(remembered);

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
