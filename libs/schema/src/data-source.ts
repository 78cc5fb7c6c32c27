import { DataSource } from 'typeorm';
import { dataSourceOptions } from './schema.js';

/** For the TypeORM CLI (`npm run migrate:generate`): reads DATABASE_URL like the apps do. */
export default new DataSource(dataSourceOptions(process.env.DATABASE_URL ?? 'postgres://localhost/consular'));
