FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# npm ci builds the dashboard app (the `prepare` script), so its sources come first.
COPY dashboard ./dashboard
# `npm start` bundles the TypeScript sources with esbuild and the operator commands run them
# through tsx: both are dev dependencies, so install them all (NODE_ENV=production would skip them).
RUN npm ci --include=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY projections ./projections
COPY scripts ./scripts
COPY client ./client
RUN npm run build:client && mkdir -p /app/data /app/.cache && chown node:node /app/data /app/.cache
EXPOSE 3000
USER node
# The heap limit: see serviceNodeArgs in scripts/lib/serviceBundle.cjs.
CMD ["node", "--max-old-space-size=2000", "--max-semi-space-size=32", "scripts/start.cjs"]
