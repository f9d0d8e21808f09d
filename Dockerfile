# syntax=docker/dockerfile:1
#
# One image for the gateway and every subgraph; the command chooses the service:
#   node dist/scripts/start-gateway-cluster.js    (the default: the gateway, one worker per
#                                                  CPU of the container's quota, WEB_CONCURRENCY;
#                                                  heap bound per worker, GATEWAY_WORKER_HEAP_MB)
#   node dist/scripts/start-gateway.js            (the gateway as a single process)
#   node dist/scripts/start-subgraph.js <name>    (dtv, dji, dvo, coa, medical, audit)
# docker-compose.yml runs each of them from this image. The project supports Node >= 20;
# the image uses the current LTS line (override with --build-arg NODE_IMAGE=node:22-bookworm-slim).
ARG NODE_IMAGE=node:24-bookworm-slim

# 1. Build: all dependencies, TypeScript compiled to dist/ (tsconfig.build.json), and the
#    files the compiled code reads from the source tree at run time, collected under
#    /runtime with their paths kept: lib/paths.ts finds the root as the directory holding
#    package.json and schema/, and fromRoot() resolves SDL, migrations and the policy there.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV APOLLO_TELEMETRY_DISABLED=1
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY gateway ./gateway
COPY lib ./lib
COPY subgraphs ./subgraphs
COPY scripts ./scripts
COPY schema ./schema
RUN npm run build
RUN mkdir -p /runtime \
 && cp -R --parents package.json schema subgraphs/*/schema.graphql subgraphs/*/migrations /runtime/

# 2. Production dependencies only.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# 3. Runtime: compiled code, production dependencies and the runtime files, owned by root
#    and read-only to the service, which runs as the unprivileged `node` user.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    APOLLO_TELEMETRY_DISABLED=1 \
    HOST=0.0.0.0 \
    PORT=4000
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /runtime/ ./
COPY --from=build /app/dist ./dist
USER node
EXPOSE 4000 4001 4002 4003 4004 4005 4006
# Checks the gateway (the default command); a subgraph container passes its name or URL
# (docker-compose.yml does): node dist/scripts/healthcheck.js dji
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "dist/scripts/healthcheck.js"]
# The cluster primary forwards SIGTERM to its workers, which finish their requests
# (SHUTDOWN_GRACE_MS, default 10 s); it ends within SHUTDOWN_GRACE_MS + 7 s. Give the
# container at least that (`docker stop -t 30`; compose: stop_grace_period).
STOPSIGNAL SIGTERM
CMD ["node", "dist/scripts/start-gateway-cluster.js"]
