import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed operations from the service's schema file. Copying this app elsewhere, point `schema` at
 * your copy of schema.graphql, or at your router's supergraph API schema; not at the subgraph's
 * URL, whose introspection has `_entities`, `_service`, `_Any` and `_Entity`, which are for routers.
 */
const config: CodegenConfig = {
  schema: ['../../schema.graphql', 'federation.graphql'],
  documents: ['src/operations/*.ts'],
  // ESM with NodeNext resolution: relative imports in the generated files end in `.js`.
  emitLegacyCommonJSImports: false,
  generates: {
    'src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        // Every custom scalar travels as a JSON string. strictScalars makes a scalar added to the
        // schema later fail codegen here instead of becoming `any`.
        strictScalars: true,
        scalars: {
          UUID: 'string',
          DateTime: 'string',
          EmailAddress: 'string',
          URL: 'string',
          PhoneNumber: 'string',
          Locale: 'string',
          TimeZone: 'string',
        },
      },
    },
  },
};

export default config;
