import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The GraphiQL page, a build of its own so that the dashboard's bundle stays as it is:
// frontend/dist/graphiql/graphiql.html, which Django serves at /graphql/ when GraphiQL is
// enabled, with its assets under /static/graphiql/ (frontend/dist is a static folder).
// Run after the dashboard's build, which empties dist/.
export default defineConfig({
  base: "/static/graphiql/",
  plugins: [react()],
  build: {
    outDir: "dist/graphiql",
    emptyOutDir: true,
    sourcemap: false,
    // GraphiQL (CodeMirror, the GraphQL language service, React) is one large page.
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      input: "graphiql.html",
      // react-compiler-runtime's "use no memo" directive means nothing once bundled.
      onwarn(warning, warn) {
        if (warning.code !== "MODULE_LEVEL_DIRECTIVE") warn(warning);
      },
    },
  },
});
