import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import depthLimit from 'graphql-depth-limit';
import { ENV_CONFIG, type EnvConfig } from '../config/config.js';
import { formatError } from '../errors/format-error.js';
import { Metrics } from '../metrics/metrics.js';
import { complexityPlugin } from './complexity.plugin.js';
import { playgroundPlugin } from './playground.js';
import { DateTimeScalarType } from './scalars.js';

export const MAX_DEPTH = 8;
export const MAX_COMPLEXITY = 1000;

function metricsPlugin(metrics: Metrics): ApolloServerPlugin {
  return {
    // eslint-disable-next-line @typescript-eslint/require-await
    async requestDidStart() {
      const start = process.hrtime.bigint();
      let operation = 'unknown';
      let type = 'unknown';
      return {
        // eslint-disable-next-line @typescript-eslint/require-await
        async didResolveOperation({ operationName, operation: op }) {
          operation = operationName ?? 'anonymous';
          type = op?.operation ?? 'unknown';
        },
        // eslint-disable-next-line @typescript-eslint/require-await
        async willSendResponse({ errors }) {
          const seconds = Number(process.hrtime.bigint() - start) / 1e9;
          metrics.graphqlDuration.observe({ operation: operation.slice(0, 60), type, outcome: errors?.length ? 'error' : 'ok' }, seconds);
        },
      };
    },
  };
}

@Module({
  imports: [
    GraphQLModule.forRootAsync<ApolloDriverConfig>({
      driver: ApolloDriver,
      inject: [ENV_CONFIG, Metrics],
      useFactory: (config: EnvConfig, metrics: Metrics) => ({
        autoSchemaFile: config.NODE_ENV === 'production' ? true : 'schema.gql',
        sortSchema: true,
        buildSchemaOptions: { scalarsMap: [{ type: Date, scalar: DateTimeScalarType }] },
        introspection: true,
        graphiql: false, // our own offline playground is served on GET /graphql (PlaygroundController)
        csrfPrevention: true,
        allowBatchedHttpRequests: false,
        includeStacktraceInErrorResponses: false,
        context: ({ req, res }: { req: unknown; res: unknown }) => ({ req, res }),
        validationRules: [depthLimit(MAX_DEPTH)],
        plugins: [playgroundPlugin(), complexityPlugin(MAX_COMPLEXITY), metricsPlugin(metrics)],
        formatError,
      }),
    }),
  ],
})
export class KezekGraphqlModule {}
