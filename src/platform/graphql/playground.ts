import type { ApolloServerPlugin } from '@apollo/server';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import express, { type Express } from 'express';

const require = createRequire(import.meta.url);
export const PLAYGROUND_ASSETS = '/playground-assets';

/** Serves GraphiQL, React and ReactDOM from node_modules: the playground works with no internet. */
export function mountPlaygroundAssets(app: Express): void {
  const files: Record<string, string> = {
    'react.production.min.js': join(dirname(require.resolve('react/package.json')), 'umd/react.production.min.js'),
    'react-dom.production.min.js': join(dirname(require.resolve('react-dom/package.json')), 'umd/react-dom.production.min.js'),
    'graphiql.min.js': join(dirname(require.resolve('graphiql/package.json')), 'graphiql.min.js'),
    'graphiql.min.css': join(dirname(require.resolve('graphiql/package.json')), 'graphiql.min.css'),
  };
  const router = express.Router();
  for (const [name, file] of Object.entries(files)) {
    router.get(`/${name}`, (_req, res) => {
      res.setHeader('Cache-Control', 'public, max-age=86400');
      res.sendFile(file);
    });
  }
  app.use(PLAYGROUND_ASSETS, router);
}

const HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>Kezek GraphQL playground</title>
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <link rel="stylesheet" href="${PLAYGROUND_ASSETS}/graphiql.min.css" />
  <style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
  <div id="graphiql">Loading…</div>
  <script src="${PLAYGROUND_ASSETS}/react.production.min.js"></script>
  <script src="${PLAYGROUND_ASSETS}/react-dom.production.min.js"></script>
  <script src="${PLAYGROUND_ASSETS}/graphiql.min.js"></script>
  <script>
    const fetcher = GraphiQL.createFetcher({ url: window.location.pathname });
    ReactDOM.createRoot(document.getElementById('graphiql')).render(
      React.createElement(GraphiQL, {
        fetcher,
        defaultEditorToolsVisibility: true,
        defaultQuery: '# Kezek. Add {"Authorization": "Bearer <token>"} in Headers (npm run token -- --role ADMIN)\\n{\\n  now\\n  priorityCategories { code priorityClass nameKk nameRu }\\n}\\n',
      }),
    );
  </script>
</body>
</html>`;

/** Apollo landing page = our offline GraphiQL (GET /graphql in a browser). */
export function playgroundPlugin(): ApolloServerPlugin {
  return {
    // eslint-disable-next-line @typescript-eslint/require-await
    async serverWillStart() {
      return {
        // eslint-disable-next-line @typescript-eslint/require-await
        async renderLandingPage() {
          return { html: HTML };
        },
      };
    },
  };
}
