import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  getNamedType,
  isCompositeType,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { type ComplexityEstimator, fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';

export interface RequestLimits {
  /** Estimated cost of an operation (fields 1, dear fields their declared `complexity`, lists × `first`). */
  maxComplexity: number;
  /** Root fields of one operation (aliases included), after fragments are expanded. */
  maxRootFields: number;
  /** Aliased fields anywhere in one operation. */
  maxAliases: number;
}

/**
 * A field with a numeric `first` argument that returns objects (a connection or a paged list) costs its
 * own `complexity` (1 by default) plus `first` times its selection: one page of 100 costs 100 times one row.
 */
export const pagedListEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  const first: unknown = args.first;
  if (typeof first !== 'number' || !isCompositeType(getNamedType(field.type))) return undefined;
  const declared = field.extensions?.complexity;
  if (typeof declared === 'function') return undefined; // the field computes its own (from `first` too)
  const own = typeof declared === 'number' ? declared : 1;
  return own + Math.max(1, first) * childComplexity;
};

function tooMuch(message: string, extensions: Record<string, unknown>): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...extensions, http: { status: 400 } } });
}

/** Root fields and aliases of `op`, fragments expanded (each spread counted where it is used). */
export function countFields(document: DocumentNode, op: OperationDefinitionNode): { rootFields: number; aliases: number } {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  let aliases = 0;
  // Depth is bounded by the depth rule; `seen` stops fragment cycles (validation refuses them anyway).
  const walk = (set: SelectionSetNode | undefined, root: boolean, seen: Set<string>): number => {
    let fields = 0;
    for (const s of set?.selections ?? []) {
      if (s.kind === Kind.FIELD) {
        fields++;
        if (s.alias) aliases++;
        walk(s.selectionSet, false, seen);
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        fields += walk(s.selectionSet, root, seen);
      } else {
        const f = fragments.get(s.name.value);
        if (!f || seen.has(f.name.value)) continue;
        fields += walk(f.selectionSet, root, new Set([...seen, f.name.value]));
      }
    }
    return fields;
  };
  const rootFields = walk(op.selectionSet, true, new Set());
  return { rootFields, aliases };
}

/**
 * Rejects, before any resolver runs, operations whose estimated cost exceeds `maxComplexity` (dear fields
 * declare `complexity`; paged lists are multiplied by `first`), with more than `maxRootFields` root fields
 * or more than `maxAliases` aliases. Its errors are the caller's: HTTP 400 BAD_USER_INPUT with
 * `extensions.limit` = complexity | rootFields | aliases (an error thrown from a plugin hook is otherwise
 * answered with 500).
 */
export function complexityPlugin(limits: RequestLimits): ApolloServerPlugin {
  return {
    // eslint-disable-next-line @typescript-eslint/require-await
    async requestDidStart(): Promise<GraphQLRequestListener<object>> {
      return {
        // eslint-disable-next-line @typescript-eslint/require-await
        async didResolveOperation({ request, document, schema, operation }) {
          let complexity: number;
          try {
            complexity = getComplexity({
              schema,
              operationName: request.operationName,
              query: document,
              variables: request.variables,
              estimators: [pagedListEstimator, fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
            });
          } catch (e) {
            // Variables that do not fit their types: report as bad input, like execution would.
            throw new GraphQLError((e as Error).message, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
          }
          const max = limits.maxComplexity;
          if (complexity > max) throw tooMuch(`query is too complex: ${complexity} > ${max}`, { limit: 'complexity', complexity, max });
          if (!operation) return;
          const { rootFields, aliases } = countFields(document, operation);
          if (rootFields > limits.maxRootFields) {
            throw tooMuch(`too many root fields: ${rootFields} > ${limits.maxRootFields}`, {
              limit: 'rootFields',
              max: limits.maxRootFields,
            });
          }
          if (aliases > limits.maxAliases) {
            throw tooMuch(`too many aliases: ${aliases} > ${limits.maxAliases}`, { limit: 'aliases', max: limits.maxAliases });
          }
        },
      };
    },
  };
}
