import type { DataSourceOptions, MixedList, EntitySchema } from 'typeorm';

export interface SchemaParts {
  // Entities are listed explicitly: globs break once the code is compiled or bundled.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
}

/** The one set of TypeORM options, shared by the apps, the migration CLI and the tests. */
export function typeOrmOptions(databaseUrl: string, parts: SchemaParts, poolSize = 20): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: parts.entities,
    migrations: parts.migrations,
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    poolSize,
    extra: { max: poolSize, connectionTimeoutMillis: 5000, idleTimeoutMillis: 30000 },
  };
}
