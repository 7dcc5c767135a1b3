FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# npm ci builds the dashboard app (the `prepare` script), so its sources come first.
COPY dashboard ./dashboard
# tsx runs the TypeScript sources directly; dev dependencies hold it, so install them all.
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY projections ./projections
COPY scripts ./scripts
COPY client ./client
RUN npm run build:client && mkdir -p /app/data && chown node:node /app/data
EXPOSE 3000
USER node
CMD ["npx", "tsx", "src/main.ts"]
