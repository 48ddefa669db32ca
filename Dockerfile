# syntax=docker/dockerfile:1
# Frontline's container image: built in one stage, run from plain Node in a second, small one (production
# dependencies and the compiled build only: no compiler, no TypeScript loader, no sources), as a non-root user.
#
#   docker build -t frontline .
#   docker run -p 3000:3000 -v frontline-data:/app/data frontline
#
# One node with the embedded SQLite file in the volume. Several nodes with PostgreSQL and Redis: deploy/compose.cluster.yaml.

ARG NODE_VERSION=20.19

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /src
# better-sqlite3 and argon2 ship prebuilt binaries for linux x64/arm64 glibc; the toolchain is there for other targets.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json vite.config.ts ./
COPY client ./client
COPY shared ./shared
COPY server ./server
COPY scripts ./scripts
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    DATA_DIR=/app/data
WORKDIR /app
COPY --from=build --chown=node:node /src/package.json ./package.json
COPY --from=build --chown=node:node /src/node_modules ./node_modules
COPY --from=build --chown=node:node /src/dist ./dist
RUN mkdir -p /app/data && chown node:node /app/data
# The image's own unprivileged user (uid 1000), never root.
USER node
VOLUME ["/app/data"]
EXPOSE 3000
# /healthz answers 200 while the process serves HTTP (/readyz also checks the database). No curl in a slim image:
# Node's own fetch.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM from `docker stop` reaches Node directly (exec form): ingest commits in flight finish, sockets close.
STOPSIGNAL SIGTERM
CMD ["node", "dist/node/server/main.js"]
