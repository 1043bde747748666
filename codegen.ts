import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema.graphql',
  generates: {
    'src/__generated__/resolvers-types.ts': {
      plugins: ['typescript', 'typescript-resolvers'],
      config: {
        federation: true,
        useIndexSignature: true,
        useTypeImports: true,
        contextType: '../graphql/context.js#Context',
        mapperTypeSuffix: 'Entity',
        mappers: { User: '../db/entities/User.js#Profile' },
        // GraphQL's UPPER_CASE values map to the entity's lower-case ones (resolvers/index.ts).
        enumValues: { UserStatus: '../db/entities/User.js#UserStatus' },
        scalars: {
          UUID: 'string',
          DateTime: { input: 'Date', output: 'Date | string' },
          PhoneNumber: 'string',
          Locale: 'string',
          TimeZone: 'string',
          EmailAddress: 'string',
          URL: 'string',
        },
      },
    },
  },
};

export default config;
