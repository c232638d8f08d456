import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';

/**
 * Rejects operations whose estimated cost exceeds `max` (list fields declare `complexity`). Its errors
 * are the caller's: HTTP 400 (an error thrown from a plugin hook is otherwise answered with 500).
 */
export function complexityPlugin(max: number): ApolloServerPlugin {
  return {
    // eslint-disable-next-line @typescript-eslint/require-await
    async requestDidStart(): Promise<GraphQLRequestListener<object>> {
      return {
        // eslint-disable-next-line @typescript-eslint/require-await
        async didResolveOperation({ request, document, schema }) {
          let complexity: number;
          try {
            complexity = getComplexity({
              schema,
              operationName: request.operationName,
              query: document,
              variables: request.variables,
              estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
            });
          } catch (e) {
            // Variables that do not fit their types: report as bad input, like execution would.
            throw new GraphQLError((e as Error).message, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
          }
          if (complexity > max) {
            throw new GraphQLError(`query is too complex: ${complexity} > ${max}`, {
              extensions: { code: 'BAD_USER_INPUT', complexity, max, http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}
