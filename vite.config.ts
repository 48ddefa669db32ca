import fs from 'node:fs';
import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

/**
 * Source maps are written, but never where the server serves files: 'hidden' leaves no sourceMappingURL comment in
 * the JS, and this moves each .map out of the client folder into a `sourcemaps` folder beside it (dist/sourcemaps),
 * for whoever reads a production stack trace with the matching build at hand.
 */
function privateSourceMaps(): Plugin {
  let outDir = '';
  return {
    name: 'frontline:private-source-maps',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    writeBundle(_options, bundle) {
      const mapsDir = path.join(path.dirname(outDir), 'sourcemaps');
      fs.rmSync(mapsDir, { recursive: true, force: true });
      for (const name of Object.keys(bundle)) {
        if (!name.endsWith('.map')) continue;
        const from = path.join(outDir, name);
        if (!fs.existsSync(from)) continue;
        const to = path.join(mapsDir, name);
        fs.mkdirSync(path.dirname(to), { recursive: true });
        fs.renameSync(from, to);
      }
    },
  };
}

export default defineConfig({
  root: 'client',
  plugins: [react(), privateSourceMaps()],
  build: {
    outDir: '../dist/client',
    emptyOutDir: true,
    sourcemap: 'hidden',
    rolldownOptions: {
      output: {
        codeSplitting: {
          // React, the router and react-query change only with a dependency upgrade: one chunk of their own keeps its
          // hash (and a browser's cached copy) across deploys that change only Frontline's code.
          groups: [{ name: 'react', test: /[\\/]node_modules[\\/](react|react-dom|scheduler|react-router|@tanstack)[\\/]/ }],
        },
      },
    },
  },
  server: {
    port: 5173,
    proxy: {
      '/api': 'http://localhost:3000',
      '/healthz': 'http://localhost:3000',
      '/socket.io': { target: 'http://localhost:3000', ws: true },
    },
  },
});
