// Builds the app so that it works from any folder (the demo serves it under
// /examples/bundled-app/dist/). tapedeck starts its worker as an ES module
// worker that uses top-level await, so workers are bundled as ES modules.
import { defineConfig } from "vite";

export default defineConfig({
  base: "./",
  worker: { format: "es" },
  build: { outDir: "dist", emptyOutDir: true },
});
