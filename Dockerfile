# syntax=docker/dockerfile:1
# Kezek: one image for every role (ROLE=api | worker | all). Build: docker build -t kezek .
# Run: docker compose up (docker-compose.yml), or docker run -e DATABASE_URL=… -e JWT_SECRET=… kezek

# ---- build: all dependencies, compile, then drop the dev dependencies ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ormconfig.ts ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build && npm prune --omit=dev

# ---- runtime: compiled code and production dependencies only, as an unprivileged user ----
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    DATA_DIR=/var/lib/kezek
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The node image's unprivileged user (uid 1000). DATA_DIR is only written without DATABASE_URL
# (embedded PostgreSQL) or JWT_SECRET (refused in production anyway).
RUN mkdir -p /var/lib/kezek && chown node:node /var/lib/kezek
USER node
EXPOSE 3000
# /health answers 200 once database and job backend answer: on METRICS_PORT when set (every role,
# workers included), else on PORT (ROLE=worker without METRICS_PORT serves no HTTP).
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.METRICS_PORT||process.env.PORT||3000)+'/health').then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))"]
CMD ["node", "dist/src/main.js"]
