import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import depthLimit from 'graphql-depth-limit';
import { DataSource } from 'typeorm';
import { ENV_CONFIG, type EnvConfig } from '../config/config.js';
import { formatError } from '../errors/format-error.js';
import { Metrics } from '../metrics/metrics.js';
import { complexityPlugin } from './complexity.plugin.js';
import { idempotencyPlugin } from './idempotency.plugin.js';
import { playgroundPlugin } from './playground.js';
import { DateTimeScalarType } from './scalars.js';

export const MAX_DEPTH = 8;
/** Estimated cost of one operation: fields 1, dear fields their `complexity`, paged lists × `first`. */
export const MAX_COMPLEXITY = 5000;
/** Root fields of one operation (each alias of a root field counts). */
export const MAX_ROOT_FIELDS = 20;
/** Aliased fields anywhere in one operation. */
export const MAX_ALIASES = 30;
/** Lexical tokens of one document: parsing and validating stop early for huge (invalid) documents. */
export const MAX_TOKENS = 6000;

/**
 * The operation label of the latency histogram: the root field when the operation selects exactly one
 * (a field of the schema, aliases ignored), else `other`. Never the client-chosen operation name, so the
 * number of series is bounded by the schema (an attacker sending 100,000 names creates none).
 */
export function operationLabel(schema: GraphQLSchema, op: OperationDefinitionNode | null | undefined): string {
  if (!op) return 'other';
  const root =
    op.operation === 'query'
      ? schema.getQueryType()
      : op.operation === 'mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  const names = new Set<string>();
  for (const sel of op.selectionSet.selections) {
    if (sel.kind !== Kind.FIELD) return 'other';
    names.add(sel.name.value);
  }
  const [only] = names;
  return names.size === 1 && !only.startsWith('__') && root?.getFields()[only] ? only : 'other';
}

function metricsPlugin(metrics: Metrics): ApolloServerPlugin {
  return {
    // eslint-disable-next-line @typescript-eslint/require-await
    async requestDidStart() {
      const start = process.hrtime.bigint();
      let operation = 'other';
      let type = 'unknown';
      return {
        // eslint-disable-next-line @typescript-eslint/require-await
        async didResolveOperation({ operation: op, schema }) {
          operation = operationLabel(schema, op);
          type = op?.operation ?? 'unknown';
        },
        // eslint-disable-next-line @typescript-eslint/require-await
        async willSendResponse({ errors }) {
          const seconds = Number(process.hrtime.bigint() - start) / 1e9;
          metrics.graphqlDuration.observe({ operation, type, outcome: errors?.length ? 'error' : 'ok' }, seconds);
        },
      };
    },
  };
}

@Module({
  imports: [
    GraphQLModule.forRootAsync<ApolloDriverConfig>({
      driver: ApolloDriver,
      inject: [ENV_CONFIG, Metrics, DataSource],
      useFactory: (config: EnvConfig, metrics: Metrics, db: DataSource) => ({
        autoSchemaFile: config.NODE_ENV === 'production' ? true : 'schema.gql',
        sortSchema: true,
        buildSchemaOptions: { scalarsMap: [{ type: Date, scalar: DateTimeScalarType }] },
        introspection: true,
        graphiql: false, // our own offline playground is served on GET /graphql (PlaygroundController)
        csrfPrevention: true,
        allowBatchedHttpRequests: false,
        includeStacktraceInErrorResponses: false,
        context: ({ req, res }: { req: unknown; res: unknown }) => ({ req, res }),
        parseOptions: { maxTokens: MAX_TOKENS },
        validationRules: [depthLimit(MAX_DEPTH)],
        plugins: [
          playgroundPlugin(),
          complexityPlugin({ maxComplexity: MAX_COMPLEXITY, maxRootFields: MAX_ROOT_FIELDS, maxAliases: MAX_ALIASES }),
          metricsPlugin(metrics),
          idempotencyPlugin(db),
        ],
        formatError,
      }),
    }),
  ],
})
export class KezekGraphqlModule {}
