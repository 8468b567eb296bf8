# dfaas as a container image, for the Kubernetes overlays deploy/k8s/dfaas-node and
# dfaas-node-forecaster (image localhost/dfaas:<dfaas_version> of deploy/versions.yml):
#
#   docker build -t localhost/dfaas:0.1.0 .          (or: buildah build -t localhost/dfaas:0.1.0 .)
#   docker save localhost/dfaas:0.1.0 | sudo k3s ctr images import -
#
# Not built in this repository's CI: the development machine has no container engine and no access
# to the base images, so test/integration/deploy-kustomize.test.ts checks only static facts (tagged
# base images, the Node.js major of package.json's engines). Build it once before relying on it.

# Build: the TypeScript compiled, then the development dependencies dropped.
FROM node:20.20-bookworm-slim AS build
# better-sqlite3 compiles from source when no prebuilt binary matches.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
# `npm ci` runs the `prepare` script: the build (tsc to dist/).
RUN npm ci && npm prune --omit=dev

# Runtime: Node.js, Debian's HAProxy (the node's haproxy proxy driver, /usr/sbin/haproxy) and the
# files the npm package ships (package.json "files").
FROM node:20.20-bookworm-slim
RUN apt-get update \
  && apt-get install -y --no-install-recommends haproxy \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY examples ./examples
COPY queries ./queries
COPY deploy/grafana ./deploy/grafana
RUN chmod 0755 dist/cli/main.js && ln -s /app/dist/cli/main.js /usr/local/bin/dfaas
# The image's unprivileged user (uid 1000); deploy/k8s runs it as that uid.
USER node
# 30080: the proxy; 31600: libp2p; 9001: the agent's /healthz and /metrics.
EXPOSE 30080 31600 9001
ENTRYPOINT ["dfaas"]
CMD ["--help"]
