import type { EventEmitter } from 'node:events';
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
    extra: { max: poolSize, connectionTimeoutMillis: 5000, idleTimeoutMillis: 30000, onConnect: keepListeningForErrors },
  };
}

/**
 * node-postgres reports a dropped connection as an 'error' event on the client, and an 'error'
 * event nobody listens to kills the process. pg-pool stops listening when it hands a client out
 * and TypeORM starts only a microtask later; a brand-new connection is handed out from inside the
 * socket's data handler, so when the server's "terminating connection" arrives in the same packet
 * as its ReadyForQuery (a restart, a failover, pg_terminate_backend), the error fires in between
 * and the worker or the API exits. This listener, added to every new connection, closes that gap;
 * the query in flight and the pool still get the error as before.
 */
function keepListeningForErrors(client: EventEmitter): void {
  client.on('error', () => undefined);
}
